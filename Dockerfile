# The relaybot image: one image, the role is the command (relaybot run|gateway|worker|sender|...).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir . && useradd --system --home /app relaybot
USER relaybot
EXPOSE 8080
CMD ["relaybot", "run", "--host", "0.0.0.0"]
