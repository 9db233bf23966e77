"""Publication export: figures framed for print and written as PNG, SVG or PDF."""
