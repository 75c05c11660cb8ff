# hg-worker with compilers. The Jib image hybridgrid/hg-worker (built by ./mvnw package, offline,
# from scratch: a Java runtime and the worker) has no gcc or clang, and no registry image with
# compilers can be pulled where the project is built. So the compilers come from Debian here, at
# deploy time, on a machine with a Docker engine; the runtime and the worker are copied from the
# Jib image:
#   docker load -i images/target/hg-worker-image.tar
#   docker build -f docker/worker.Dockerfile -t hybridgrid/hg-worker-gcc .
ARG VERSION=0.1.0-SNAPSHOT
FROM hybridgrid/hg-worker:${VERSION} AS app
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc g++ clang make bubblewrap \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 65532 --home-dir /var/lib/hybridgrid hybridgrid \
 && install -d -o 65532 -g 65532 /var/lib/hybridgrid
COPY --from=app /opt/java /opt/java
COPY --from=app /app /app
USER 65532:65532
WORKDIR /var/lib/hybridgrid
ENV HOME=/var/lib/hybridgrid PATH=/opt/java/bin:/usr/local/bin:/usr/bin:/bin
VOLUME /var/lib/hybridgrid
ENTRYPOINT ["/opt/java/bin/java", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-cp", "@/app/jib-classpath-file", "io.hybridgrid.worker.Main"]
CMD ["serve", "--no-mdns", "--work-dir", "/var/lib/hybridgrid/work"]
