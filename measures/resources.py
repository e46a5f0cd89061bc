"""Import and export of measures, so that the official list can replace the provisional one.

A row names its plan by code and its work area by number; a measure is matched by
(plan, number), so importing the official list over the provisional placeholders
updates them in place and keeps their links and history. Rows are validated with the
same `measures.validation` rules (`clean_model_instances`); one bad row and the
import writes nothing. Exported cells that a spreadsheet would run as a formula are
written as text (exports.formulas), in every format.
"""

import io

from django.core.exceptions import ValidationError
from import_export import fields, resources
from import_export.formats import base_formats

from edge import text
from exports import workbooks
from exports.formulas import neutralise_formula
from measures.models import Area, Measure


class MeasureResource(resources.ModelResource):
    plan = fields.Field(column_name="plan", attribute="area__plan__code", readonly=True)
    area = fields.Field(column_name="area", attribute="area__number", readonly=True)
    # The column keeps its name: on import, the text as written, linked to the agency it names
    # (targets.selectors.agency_named); on export, the linked agency's Chinese name, else the text.
    lead_agency = fields.Field(column_name="lead_agency", attribute="lead_agency_text")

    class Meta:
        model = Measure
        fields = (
            "plan", "area", "number", "title_zh", "title_en", "description", "lead_agency",
            "start_date", "due_date", "is_provisional",
        )
        export_order = fields
        import_id_fields = ("number",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def dehydrate_lead_agency(self, measure):
        return measure.lead_agency.name_zh if measure.lead_agency_id else measure.lead_agency_text

    def export_field(self, field, instance, **kwargs):
        return neutralise_formula(super().export_field(field, instance, **kwargs))

    def import_data(self, dataset, **kwargs):
        # One invalid row and nothing is written — also when called outside the admin's
        # dry-run-then-confirm flow.
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        # Before the row's plan, area and number are looked up: the database must never see
        # a control character (a NUL is a 500 on PostgreSQL). The model fields then apply
        # their own, stricter rule (no line breaks in a title) through full_clean.
        errors = {}
        for column, value in row.items():
            try:
                text.validate_multiline(value)
            except ValidationError as error:
                errors[column] = error.messages
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        # Through the service, like every other write: it refreshes the area roll-ups.
        from measures.services import measure_save

        measure_save(measure=instance)

    def get_instance(self, instance_loader, row):
        return (
            Measure.objects.filter(area__plan__code=row.get("plan"), number=row.get("number"))
            .select_related("area__plan")
            .first()
        )

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        area = Area.objects.filter(plan__code=row.get("plan"), number=row.get("area")).first()
        if area is None:
            raise ValidationError(
                {"area": f"No work area {row.get('area')!r} in plan {row.get('plan')!r}. "
                         "Use a plan code and an area number that exist (see Work areas)."}
            )
        instance.area = area
        if "lead_agency" in row:
            from targets.selectors import agency_named

            instance.lead_agency = agency_named(instance.lead_agency_text)
        # An imported row without the column is official wording unless it says otherwise.
        if "is_provisional" not in row:
            instance.is_provisional = False


# An import of measures: a plan has a few dozen measures, and the columns are the export's ten.
IMPORT_MAX_ROWS = 2000
IMPORT_MAX_COLUMNS = 40
IMPORT_MAX_UNPACKED_BYTES = 8 * 1024 * 1024


class CheckedXLSX(base_formats.XLSX):
    """import-export's XLSX reading, through `exports.workbooks`: the zip's unpacked size, no
    DOCTYPE in any XML part and the sheet's declared size checked before it is opened, then
    its rows streamed (read-only mode, values not formulas) and refused past IMPORT_MAX_ROWS
    even when the declared size lied. A refusal is the import form's error; nothing is
    imported."""

    def create_dataset(self, in_stream):
        import tablib

        caps = {"max_rows": IMPORT_MAX_ROWS, "max_columns": IMPORT_MAX_COLUMNS}
        book = workbooks.xlsx_open(io.BytesIO(in_stream), max_unpacked_bytes=IMPORT_MAX_UNPACKED_BYTES,
                                   data_only=True, **caps)
        try:
            lines = workbooks.rows(book.active, **caps)
            dataset = tablib.Dataset()
            header = [cell.value for cell in next(lines, ())]
            while header and header[-1] is None:  # the columns read past the last one named
                header.pop()
            dataset.headers = header
            for line in lines:
                values = [cell.value for cell in line][:len(header)]
                if any(value is not None for value in values):
                    dataset.append(values)
            return dataset
        finally:
            book.close()
