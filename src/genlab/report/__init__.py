"""Reports and pictures: image grids, markdown tables (the HTML tour report comes later)."""
