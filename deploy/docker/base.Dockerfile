# The image every service runs from: dependencies, generated contracts and all the code, as user 10001.
# Build it first, from the repository root: docker build -f deploy/docker/base.Dockerfile -t jefacture/base .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/var/lib/jefacture

RUN useradd --uid 10001 --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin jefacture \
 && install -d -o 10001 -g 10001 /var/lib/jefacture

WORKDIR /app
# Dependencies first, in a layer that every service's image shares and that only pyproject.toml invalidates.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
        > /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt
COPY protos/ protos/
COPY lib/ lib/
COPY services/ services/
RUN python -m grpc_tools.protoc -Iprotos --python_out=lib --grpc_python_out=lib $(find protos -name '*.proto') \
 && pip install --no-cache-dir --no-deps .

USER 10001:10001
