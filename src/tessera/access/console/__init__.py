"""Who acts in the staff console, and the one check every console view passes through."""
