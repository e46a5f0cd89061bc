"""Serves Plotly's JavaScript from the installed plotly package.

Only `plotly.min.js` is exposed (as `plotly/plotly.min.js`), so the package's data
sets and widget bundle are never collected. Because it is an ordinary static file,
`collectstatic` gives it a hashed, compressed name that whitenoise serves with
far-future cache headers: the charts work without internet and repeat visits do not
download it again.
"""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS_PATH = "plotly/plotly.min.js"
_PACKAGE_DATA = Path(plotly.__file__).resolve().parent / "package_data"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(_PACKAGE_DATA))
        self.storage.prefix = "plotly"

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path != PLOTLY_JS_PATH:
            return [] if find_all else None
        found = str(_PACKAGE_DATA / "plotly.min.js")
        return [found] if find_all else found

    def list(self, ignore_patterns):
        yield "plotly.min.js", self.storage
