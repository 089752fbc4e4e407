"""A stand-in for a firm's webhook endpoint, for `make run`: checks each signature and logs what arrives."""
import argparse
import http.server
import json
import sys
from datetime import datetime, timezone

from jefacture.webhook_signature import DELIVERY_HEADER, SIGNATURE_HEADER, signature_matches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            valid = signature_matches(args.secret, self.headers.get(SIGNATURE_HEADER, ""), body)
            print(json.dumps({"at": datetime.now(timezone.utc).isoformat(), "signature_valid": valid,
                              "delivery": self.headers.get(DELIVERY_HEADER), "body": json.loads(body or b"{}")}),
                  flush=True)
            self.send_response(204 if valid else 401)
            self.end_headers()

        def do_GET(self):
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_):
            pass

    http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    sys.exit(main())
