"""Question-answering bot for the UN Regional SDG Centre for Central Asia and Afghanistan."""

__version__ = "0.1.0"
