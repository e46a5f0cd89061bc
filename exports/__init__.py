"""What the site writes out as files (CSV from the API, CSV and workbooks from the admin):
rules every export follows, whichever app it belongs to."""
