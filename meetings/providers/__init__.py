"""One module per meeting provider; registry.py lists them."""
