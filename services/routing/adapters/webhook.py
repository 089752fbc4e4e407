"""HTTP delivery of a signed webhook."""
import requests


def post_webhook(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """The response status; a network failure raises requests.RequestException."""
    return requests.post(url, data=body, headers=headers, timeout=timeout).status_code
