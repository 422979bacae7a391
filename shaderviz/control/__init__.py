"""Control: one registry of named commands that every input drives.

Keys (``shaderviz.keymap``) map to command names; later OSC, MIDI and a command log feed
the same names. Modules that do the work bind handlers to the commands they own.
"""
