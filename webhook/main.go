// Command imgrepl-webhook is a Kubernetes mutating admission webhook that rewrites container
// images by the image replacement policy, through libimgrepl.
//
//	imgrepl-webhook --tls-cert tls.crt --tls-key tls.key [flags]
//
// Endpoints: POST /mutate (AdmissionReview v1 in and out), POST /audit (the same review, with
// warnings that say what would be rewritten instead of a patch), GET /healthz, GET /readyz and
// GET /metrics (Prometheus text format). `imgrepl-webhook -h` lists the flags.
//
// The certificate, the key, --policy and --pull-secrets are reloaded when their files change
// (as a mounted Secret or ConfigMap does); a file that no longer parses keeps the last good
// one. The reviews in flight are bounded by a memory budget derived from the container's
// memory limit; a request that does not fit waits for the others, at most for its read
// timeout or the API server's ?timeout=, then gets 503. On SIGTERM or SIGINT, /readyz answers 503 at once while every
// request is still served for --drain-delay; then the listener closes, the requests in flight
// finish, and the process exits 0. Logs are JSON lines on stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// config is the command line.
type config struct {
	listen        string
	certFile      string
	keyFile       string
	policyFile    string
	annotationKey string
	mode          string
	burst         string
	// skipPullChecks is --pull-checks=false (so the zero config keeps the checks on).
	skipPullChecks bool
	pullSecrets    string
	audit          bool
	namespace      string
	maxBodyBytes   int64
	memoryLimit    int64
	memoryBudget   int64
	cacheEntries   int
	cacheBytes     int64
	readTimeout    time.Duration
	writeTimeout   time.Duration
	drainDelay     time.Duration
	shutdownGrace  time.Duration
	reloadInterval time.Duration
}

// defaults is the configuration of an empty command line (but the required flags).
func defaults() config {
	return config{listen: ":8443", mode: "longest-prefix", namespace: os.Getenv("POD_NAMESPACE"),
		maxBodyBytes: 7 << 20, cacheEntries: 1024, cacheBytes: 8 << 20,
		readTimeout: 10 * time.Second, writeTimeout: 10 * time.Second,
		drainDelay: 10 * time.Second, shutdownGrace: 15 * time.Second, reloadInterval: time.Second}
}

const usageHead = `imgrepl-webhook: a Kubernetes mutating admission webhook that rewrites container images by
the image replacement policy.

Usage: imgrepl-webhook --tls-cert FILE --tls-key FILE [flags]

Endpoints: POST /mutate, POST /audit (warnings instead of a patch), GET /healthz, /readyz, /metrics.

Flags:
`

// parseFlags reads the command line. -h (or -help, --help) prints the usage on stdout and
// returns flag.ErrHelp; a mistake prints it on stderr.
func parseFlags(args []string, stdout, stderr io.Writer) (config, error) {
	c := defaults()
	fs := flag.NewFlagSet("imgrepl-webhook", flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" || a == "--h" {
			fs.SetOutput(stdout)
		}
	}
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.listen, "listen", c.listen, "address to listen on (host:port)")
	fs.StringVar(&c.certFile, "tls-cert", "", "TLS certificate file (PEM), reloaded when it changes (required)")
	fs.StringVar(&c.keyFile, "tls-key", "", "TLS private key file (PEM), reloaded when it changes (required)")
	fs.StringVar(&c.policyFile, "policy", "", "a policy file (JSON) used for every object instead of its annotation; reloaded when it changes")
	fs.StringVar(&c.annotationKey, "annotation-key", "", "the annotation to read the policy from (default coordinator.cci.io/image-replacement)")
	fs.StringVar(&c.mode, "mode", c.mode, "match mode: longest-prefix or exact-parent")
	fs.StringVar(&c.burst, "burst", "", "rewrite only pod specs whose bursting label (bursting.cci.io/burst-to-cci, or virtual-kubelet.io/burst-to-cci) is one of these (comma-separated: auto, enforce, off); the others are reported as not bursting (default: every pod spec, whatever its label)")
	pullChecks := fs.Bool("pull-checks", true, "warn about pulls a rewrite may break (anonymous-pull, pull-secret-uncovered)")
	fs.StringVar(&c.pullSecrets, "pull-secrets", "", "a JSON file of kubernetes.io/dockerconfigjson Secrets (a Secret, or a List as kubectl get secrets -o json prints it): a pod whose imagePullSecrets cover none of a rewritten image's new registry gets a pull-secret-uncovered warning; reloaded when it changes")
	fs.BoolVar(&c.audit, "audit", false, "audit mode for the whole server: /mutate answers like /audit, with warnings that say what would be rewritten and no patch")
	fs.StringVar(&c.namespace, "namespace", c.namespace, "the server's own namespace, whose objects are never touched (default $POD_NAMESPACE)")
	fs.Int64Var(&c.maxBodyBytes, "max-body-bytes", c.maxBodyBytes, "the largest request body accepted (larger is 413)")
	fs.Var(byteSize{&c.memoryLimit}, "memory-limit", "the container's memory limit, from which the default budget is derived (default: the cgroup's limit, else 128Mi)")
	fs.Var(byteSize{&c.memoryBudget}, "memory-budget", "the estimated memory of the reviews in flight, at most (default: the memory limit less 24Mi and --policy-cache-bytes); a review of N body bytes costs 8N+128Ki")
	fs.IntVar(&c.cacheEntries, "policy-cache-entries", c.cacheEntries, "compiled annotation policies kept, at most (0: no cache)")
	fs.Var(byteSize{&c.cacheBytes}, "policy-cache-bytes", "the estimated bytes of the compiled policies kept, at most")
	fs.DurationVar(&c.readTimeout, "read-timeout", c.readTimeout, "time to read a whole request, the wait for the memory budget included")
	fs.DurationVar(&c.writeTimeout, "write-timeout", c.writeTimeout, "time to write a response")
	fs.DurationVar(&c.drainDelay, "drain-delay", c.drainDelay, "after SIGTERM, how long every request is still served while /readyz answers 503 (for the endpoints to drop this pod)")
	fs.DurationVar(&c.shutdownGrace, "shutdown-grace", c.shutdownGrace, "after the drain delay, time for the requests in flight to finish")
	fs.DurationVar(&c.reloadInterval, "reload-interval", c.reloadInterval, "how often the --policy and --pull-secrets files are checked for a change")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.skipPullChecks = !*pullChecks
	if c.certFile == "" || c.keyFile == "" {
		return c, fmt.Errorf("--tls-cert and --tls-key are required")
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.reloadInterval <= 0 || c.readTimeout <= 0 {
		return c, fmt.Errorf("--reload-interval and --read-timeout must be positive")
	}
	return c, nil
}

func main() {
	log := newLogger(os.Stderr)
	c, err := parseFlags(os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		log.error("bad command line", "error", err.Error())
		fmt.Fprintln(os.Stderr, "imgrepl-webhook -h lists the flags")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, c, log, nil); err != nil {
		log.error("exiting", "error", err.Error())
		os.Exit(1)
	}
}
