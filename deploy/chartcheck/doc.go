// Package chartcheck validates smart90's Helm chart (deploy/helm/smart90)
// offline, in its tests: it renders the chart with Helm's Go SDK as
// `helm template` does, decodes every object strictly into the Kubernetes
// API types, and checks what a deployment depends on (probes, the Secret,
// security settings, disruption budget, Ingress paths, settings' names).
//
// It is a Go module of its own so that smart90's binary and main module
// carry none of Helm's or Kubernetes' dependencies. Run it from the
// repository's root with
//
//	go -C deploy/chartcheck test -count=1 ./...
package chartcheck
