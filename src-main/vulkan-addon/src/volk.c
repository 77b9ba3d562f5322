// volk (Debian's libvulkan-volk-dev) ships its implementation as a source file: compiled here, it loads
// libvulkan.so.1 with dlopen when the device is opened, so the addon builds and loads without it.
#include <volk.c>
