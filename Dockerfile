# One image for every process (gateway, targeting, programs, reporting, migrate); compose picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

COPY . .
# Editable, so kit.migrations finds alembic.ini and migrations/ in /app as it does in a checkout.
RUN pip install --no-deps -e . \
    && useradd --system --uid 10001 --no-create-home sinergi
USER sinergi

EXPOSE 8000 8001 8002 8003
CMD ["sinergi", "--help"]
