# The worker (and the starter) for the docker-compose stack.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY core ./core
COPY models ./models
COPY process ./process
COPY records ./records
COPY workflows ./workflows
COPY activities ./activities
COPY starter ./starter
COPY service ./service
COPY scripts ./scripts
COPY config ./config
COPY locale ./locale
COPY worker.py ./

# Not root: the worker needs no privileges.
RUN useradd --system --uid 10001 worker
USER worker
CMD ["python", "worker.py"]
