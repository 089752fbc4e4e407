"""Who is asking: the bearer token and origin of a request, handed to identity with every question."""
from typing import Annotated

from fastapi import Depends, Request

from .adapters.backends import Backends
from .adapters.identity import Caller
from .domain.errors import Unauthenticated


def get_backends(request: Request) -> Backends:
    return request.app.state.backends


def get_caller(request: Request) -> Caller:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return Caller(token=token.strip() if scheme.lower() == "bearer" else "",
                  address=request.client.host if request.client else "",
                  user_agent=request.headers.get("user-agent", ""))


def signed_in(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
    if not caller.token:
        raise Unauthenticated("log in first, then send the access token as 'Authorization: Bearer <token>'")
    return caller


BackendsDep = Annotated[Backends, Depends(get_backends)]
CallerDep = Annotated[Caller, Depends(get_caller)]
SignedIn = Annotated[Caller, Depends(signed_in)]
