# The image for the web server, the Celery worker and Celery beat (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# "Download PDF" prints pages with Debian's headless Chromium (dashboard/pdf.py); Chinese needs
# the Noto CJK fonts. Without them the download answers 503 and the pages work as before.
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# Requirements first, so that a change of code does not reinstall them.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Settings refuse to load without SECRET_KEY; collectstatic needs none of the real
# secrets, so this build step gets a throwaway key that never reaches the running image.
RUN SECRET_KEY=collectstatic-build-step-only python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --create-home --uid 10001 app

USER app

EXPOSE 8000
# gunicorn.conf.py (copied above) sets the log format. Before the first start, run
# `python manage.py setup --skip-collectstatic` once against the database (docker-compose.yml does).
CMD ["gunicorn", "hangzhou_ai_zone.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
