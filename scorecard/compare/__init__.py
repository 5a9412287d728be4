"""HR's comparison of a job's candidates: the matrix, side by side, and the exports."""
