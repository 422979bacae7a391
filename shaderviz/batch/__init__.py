"""Batch renders: one loop per image of a folder, on local processes or a Ray cluster."""
