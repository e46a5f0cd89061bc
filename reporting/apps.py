from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"
    verbose_name = _("Reporting rounds")

    def ready(self):
        # The figures of a submitted set are frozen: the targets services ask us which ones
        # (targets.review), since targets does not import reporting.
        from reporting.selectors import figure_under_review
        from targets.review import review_lookup_register

        review_lookup_register(figure_under_review)
