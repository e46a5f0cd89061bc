"""CSV with the same columns as the JSON, so that `pandas.read_csv(url)` works.

Nested objects become dotted columns (`snapshot.status`), derived from the serializer so
that a target without a snapshot still has every column; lists (a measure's updates)
stay JSON inside one cell. A paginated JSON envelope is unwrapped to its rows. Cells that a
spreadsheet would run as a formula are written as text (exports.formulas).
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator

from rest_framework import renderers, serializers
from rest_framework.utils.encoders import JSONEncoder

from exports.formulas import neutralise_formula


def serializer_columns(serializer: serializers.BaseSerializer, prefix: str = "") -> list[str]:
    """Column names for a serializer's output, nested serializers flattened with dots."""
    columns = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if isinstance(field, serializers.Serializer):
            columns += serializer_columns(field, f"{prefix}{name}.")
        else:
            columns.append(f"{prefix}{name}")
    return columns


def flatten(row: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in row.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            flat[f"{prefix}{key}"] = json.dumps(value, cls=JSONEncoder, ensure_ascii=False)
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def csv_text(rows: Iterable[dict], columns: list[str], *, rows_per_piece: int = 500) -> Iterator[str]:
    """The CSV of these rows (as the serializer gives them), in pieces: the header, then
    `rows_per_piece` rows at a time. The one writer of every CSV the API sends, whole or
    streamed, so both are the same bytes."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for count, row in enumerate(rows, start=1):
        writer.writerow({key: neutralise_formula(value) for key, value in flatten(row).items()})
        if count % rows_per_piece == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        if response is not None and response.status_code >= 400 or not isinstance(data, list):
            # Errors and single objects: one row of whatever the JSON says.
            data = [data] if isinstance(data, dict) else []
            columns = None
        else:
            columns = self._columns(renderer_context.get("view"))
        if columns is None:
            columns = list(dict.fromkeys(key for row in data for key in flatten(row)))
        return "".join(csv_text(data, columns)).encode(self.charset)

    @staticmethod
    def _columns(view) -> list[str] | None:
        get_serializer = getattr(view, "get_serializer", None)
        if get_serializer is None:
            return None
        return serializer_columns(get_serializer())
