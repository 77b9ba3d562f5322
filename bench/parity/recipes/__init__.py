"""One PyTorch reference recipe per method, each following that method's released code (see ../common.py)."""
