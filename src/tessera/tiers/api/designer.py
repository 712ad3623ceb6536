from ninja import Router

router = Router(tags=["tier designer"])
