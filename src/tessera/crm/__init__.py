"""Member profiles beyond the card (seed 000 section 5), manual tags and the member 360 view."""
