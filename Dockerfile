# smart90's container image: a static binary on distroless, as non-root.
#
#   docker build -t smart90 .
#   docker run -p 8080:8080 --env-file .env smart90          # serve (default)
#   docker run -it -v smart90-data:/data smart90 chat          # the console
#
# The build stage's Go is go.mod's go line; .ci/build is the one build
# command, shared with CI.

FROM golang:1.26.8 AS build
WORKDIR /src
ENV GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN ./.ci/build /out/smart90
# The SQLite volume's mount point, owned by the image's non-root user
# (distroless has no shell to make it later).
RUN mkdir -p /out/data

# static-debian12 carries CA certificates, tzdata and the nonroot user
# (65532); the binary embeds a zone database too (time/tzdata).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/smart90 /smart90
COPY --from=build --chown=65532:65532 /out/data /data
ENV SMART90_SQLITE_PATH=/data/smart90.db SMART90_HTTP_ADDR=:8080
VOLUME /data
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD ["/smart90", "healthcheck"]
ENTRYPOINT ["/smart90"]
CMD ["serve"]
