"""Outputs: file writers, the offline recorder, PNG snapshots and the live window."""
