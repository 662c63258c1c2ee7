"""Stage 6, write: the only code that touches the output folder (built beside, swapped in whole)."""
