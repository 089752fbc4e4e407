"""A local BODACC open-data API (OpenDataSoft Explore v2.1, dataset annonces-commerciales) over seeded records
(data/bodacc.json): GET /api/explore/v2.1/catalog/datasets/annonces-commerciales/records with the part of ODSQL
that clients use (`where` clauses `field = "v"`, `field != "v"`, `field like "v"` joined by `and`), `order_by`,
`limit` and `offset`, and OpenDataSoft's error bodies.

GET / answers 200 once the server listens; GET /_simulator/stats counts the API requests.
"""
import argparse
import fnmatch
import http.server
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from jefacture.simulators.kit import (
    STATS_PATH,
    Counter,
    JsonHandler,
    SlidingWindow,
    child_server,
    free_port,
    retry_after,
)

DATASET = "annonces-commerciales"
RECORDS_PATH = f"/api/explore/v2.1/catalog/datasets/{DATASET}/records"
DATA_FILE = Path(__file__).with_name("data") / "bodacc.json"
MAX_LIMIT = 100
MAX_WINDOW = 10_000  # offset + limit, as OpenDataSoft allows
RECORD_LAYOUT = ("id", "publicationavis", "publicationavis_facette", "parution", "dateparution", "numeroannonce",
                 "typeavis", "typeavis_lib", "familleavis", "familleavis_lib", "numerodepartement",
                 "departement_nom_officiel", "region_code", "region_nom_officiel", "tribunal", "commercant", "ville",
                 "registre", "cp", "pdf_parution_subfolder", "listepersonnes", "listeetablissements", "jugement",
                 "acte", "modificationsgenerales", "radiationaurcs", "depot", "listeprecedentexploitant",
                 "listeprecedentproprietaire", "divers", "url_complete")
# The dataset serves these structured fields as JSON text, which every client has to parse; a seed may also give
# one as text already, to serve it as is.
JSON_TEXT_FIELDS = ("listepersonnes", "listeetablissements", "jugement", "acte", "modificationsgenerales",
                    "radiationaurcs", "depot", "listeprecedentexploitant", "listeprecedentproprietaire", "divers")
CLAUSE = re.compile(r"""\s*(?P<field>[a-z_]\w*)\s*(?P<op>!=|=|\blike\b)\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')\s*""",
                    re.IGNORECASE)
AND = re.compile(r"and\b", re.IGNORECASE)


class QueryError(ValueError):
    """A query OpenDataSoft would reject, with its error code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def load_records(path: Path = DATA_FILE) -> list[dict]:
    seed = json.loads(path.read_text(encoding="utf-8"))
    return [_record(raw) for raw in seed["records"]]


def _record(raw: dict) -> dict:
    record = {name: raw.get(name) for name in RECORD_LAYOUT}
    for name in JSON_TEXT_FIELDS:
        if record[name] is not None and not isinstance(record[name], str):
            record[name] = json.dumps(record[name], ensure_ascii=False)
    record["url_complete"] = f"https://www.bodacc.fr/pages/annonces-commerciales-detail/?q.id=id:{record['id']}"
    return record


def parse_where(where: str) -> Callable[[dict], bool]:
    """The predicate of an ODSQL `where` made of comparisons joined by `and`."""
    tests = []
    position = 0
    while True:
        match = CLAUSE.match(where, position)
        if match is None:
            raise QueryError("ODSQLError", f"ODSQL query is malformed: unsupported or invalid expression at "
                                           f"character {position + 1} of {where!r}. Clause(s) containing the "
                                           f"error(s): where.")
        value = match["dq"] if match["dq"] is not None else match["sq"]
        tests.append(_comparison(match["field"], match["op"].lower(), value))
        position = match.end()
        if position == len(where):
            return lambda record: all(test(record) for test in tests)
        conjunction = AND.match(where, position)
        if conjunction is None:
            raise QueryError("ODSQLError", f"ODSQL query is malformed: expected 'and' at character {position + 1} "
                                           f"of {where!r}. Clause(s) containing the error(s): where.")
        position = conjunction.end()


def _comparison(field: str, op: str, value: str) -> Callable[[dict], bool]:
    if field not in RECORD_LAYOUT:
        raise QueryError("ODSQLError", f"ODSQL query is malformed: Unknown field: {field}. Clause(s) containing the "
                                       f"error(s): where.")

    def matches(item: object) -> bool:
        text = str(item)
        if op == "=":
            return text == value
        if op == "!=":
            return text != value
        if "*" in value or "%" in value:
            return fnmatch.fnmatchcase(text.lower(), value.lower().replace("%", "*"))
        return value.lower() in text.lower()

    def test(record: dict) -> bool:
        found = record.get(field)
        items = found if isinstance(found, list) else [] if found is None else [found]
        return any(matches(item) for item in items) if op != "!=" else all(matches(item) for item in items)

    return test


def query(records: list[dict], params: dict[str, str]) -> dict:
    """The v2.1 answer to one records query: {"total_count", "results"}."""
    limit = _integer(params, "limit", 10)
    offset = _integer(params, "offset", 0)
    if not -1 <= limit <= MAX_LIMIT:
        raise QueryError("InvalidRESTParameterError", f"Invalid value for limit API parameter: {limit} was found but "
                                                      f"-1 <= limit <= {MAX_LIMIT} is expected.")
    if offset < 0 or offset + max(limit, 0) > MAX_WINDOW:
        raise QueryError("InvalidRESTParameterError", f"Invalid value for offset API parameter: offset + limit must "
                                                      f"be at most {MAX_WINDOW}.")
    wanted = parse_where(params["where"]) if params.get("where") else lambda record: True
    selected = [record for record in records if wanted(record)]
    for field, descending in reversed(_order_by(params.get("order_by", ""))):
        present = [record for record in selected if record.get(field) is not None]
        absent = [record for record in selected if record.get(field) is None]
        selected = sorted(present, key=lambda record: record[field], reverse=descending) + absent
    page = selected[offset:] if limit == -1 else selected[offset:offset + limit]
    return {"total_count": len(selected), "results": page}


def _integer(params: dict[str, str], name: str, default: int) -> int:
    try:
        return int(params.get(name, default))
    except ValueError:
        raise QueryError("InvalidRESTParameterError", f"Invalid value for {name} API parameter: "
                                                      f"{params[name]!r} is not an integer.") from None


def _order_by(order_by: str) -> list[tuple[str, bool]]:
    keys = []
    for part in filter(None, (piece.strip() for piece in order_by.split(","))):
        field, _, direction = part.partition(" ")
        direction = direction.strip().lower() or "asc"
        if field not in RECORD_LAYOUT or direction not in ("asc", "desc"):
            raise QueryError("ODSQLError", f"ODSQL query is malformed: invalid order_by expression {part!r}. "
                                           f"Clause(s) containing the error(s): order_by.")
        keys.append((field, direction == "desc"))
    return keys


def serve(port: int, rate_limit: int, rate_window: float, data_file: Path) -> None:
    records = load_records(data_file)
    limiter = SlidingWindow(rate_limit, rate_window)
    counter = Counter()

    class Handler(JsonHandler):
        def do_GET(self):
            url = urlsplit(self.path)
            if url.path == "/":
                self.answer_json(200, {"simulator": "BODACC open data (OpenDataSoft Explore v2.1)",
                                       "records": len(records)})
                return
            if url.path == STATS_PATH:
                self.answer_json(200, counter.as_dict())
                return
            wait = limiter.wait_before(self.client_address[0])
            if wait:
                counter.count(throttled=True)
                self._throttled(wait)
                return
            counter.count()
            if url.path.rstrip("/") != RECORDS_PATH:
                self.answer_json(404, {"error_code": "NotFound", "message": f"Unknown resource: {url.path}"})
                return
            params = {name: values[-1] for name, values in parse_qs(url.query).items()}
            try:
                self.answer_json(200, query(records, params))
            except QueryError as error:
                self.answer_json(400, {"error_code": error.code, "message": str(error)})

        def _throttled(self, wait: float) -> None:
            reset = datetime.now(timezone.utc) + timedelta(seconds=wait)
            self.answer_json(429, {"error_code": "TooManyRequests",
                                   "message": "Too many requests on the domain. Please contact the domain "
                                              "administrator.",
                                   "reset_time": reset.isoformat(timespec="seconds"), "limit_time_unit": "minute",
                                   "call_limit": rate_limit},
                             {"Retry-After": retry_after(wait), "X-RateLimit-Limit": str(rate_limit),
                              "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset.isoformat(timespec="seconds")})

    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


@contextmanager
def running(port: int | None = None, rate_limit: int = 0, rate_window: float = 60, data: Path = DATA_FILE,
            timeout: float = 30) -> Iterator[str]:
    """This simulator in a child process, for tests: yields its base URL (no trailing slash) once it answers."""
    with child_server("jefacture.simulators.bodacc", ["--rate-limit", str(rate_limit),
                                                      "--rate-window", str(rate_window), "--data", str(data)],
                      port or free_port(), timeout) as url:
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate-limit", type=int, default=0, help="requests per client per window; 0 for no limit")
    parser.add_argument("--rate-window", type=float, default=60, help="seconds")
    parser.add_argument("--data", type=Path, default=DATA_FILE, help="seed records")
    args = parser.parse_args()
    serve(args.port, args.rate_limit, args.rate_window, args.data)


if __name__ == "__main__":
    sys.exit(main())
