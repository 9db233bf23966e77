"""The dashboard's data layer: curated records, boundaries, validation, joins and flows.

Pure pandas / geopandas / shapely: nothing here imports dash or plotly.
"""

from geodata.dataset import Dataset, load_dataset

__all__ = ["Dataset", "load_dataset"]
