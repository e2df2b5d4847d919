"""The mathematics behind examgen's problems: pure functions of plain values.

Nothing here draws random numbers, reads files or renders text for a sheet, so a TA can
import any of it in a notebook: ``from solvers.conv import output_size``.
"""
