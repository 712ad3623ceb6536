from ninja import Router

router = Router(tags=["purchase cycles"])
