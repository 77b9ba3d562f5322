'use strict';
// The compiled addon; require() fails with the loader's message where it was not built.
module.exports = require('./build/Release/contrastlab_vulkan.node');
