"""Reading a scoring request's body with a size limit (shared by the classic and the V2 routes)."""


class BodyTooLarge(Exception):
    pass


async def read_body(request, limit):
    """The request body, refusing (BodyTooLarge) as soon as it passes limit bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge()
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)
