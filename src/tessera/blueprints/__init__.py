"""Programme templates: the owners' worked examples as ready-made programmes a merchant loads and then adapts."""
