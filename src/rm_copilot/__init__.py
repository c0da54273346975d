"""rm-copilot: a compliance-gated assistant for bank relationship managers."""

__version__ = "0.1.0"
