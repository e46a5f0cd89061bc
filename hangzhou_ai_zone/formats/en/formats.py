"""English dates as the officials' papers write them: "31 Dec 2019" (Django's own English
default is "Dec. 31, 2019"). The charts' hover labels follow the same pattern
(dashboard.charts.hover_date)."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
