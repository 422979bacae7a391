"""shaderviz: a realtime GPU shader visualiser for the noise of machine-made images."""

__version__ = "0.1.0"
