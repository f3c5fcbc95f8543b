// Command imgrepl-webhook is a Kubernetes mutating admission webhook that rewrites container
// images by the image replacement policy, through libimgrepl.
//
//	imgrepl-webhook --listen :8443 --tls-cert tls.crt --tls-key tls.key \
//	    [--policy FILE] [--annotation-key KEY] [--mode longest-prefix|exact-parent] \
//	    [--burst auto,enforce] [--pull-checks=false] [--pull-secrets FILE]
//
// Endpoints: POST /mutate (AdmissionReview v1 in and out), GET /healthz, GET /readyz and
// GET /metrics (Prometheus text format). The certificate and key are reloaded when their files
// change (as a mounted Secret does). SIGTERM or SIGINT drains in-flight requests and exits 0.
// Logs are JSON lines on stderr.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	imgrepl "github.com/imgrepl/imgrepl/bindings-c/go"
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
	maxBodyBytes   int64
	readTimeout    time.Duration
	writeTimeout   time.Duration
	shutdownGrace  time.Duration
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("imgrepl-webhook", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.listen, "listen", ":8443", "address to listen on (host:port)")
	fs.StringVar(&c.certFile, "tls-cert", "", "TLS certificate file (PEM), reloaded when it changes")
	fs.StringVar(&c.keyFile, "tls-key", "", "TLS private key file (PEM), reloaded when it changes")
	fs.StringVar(&c.policyFile, "policy", "", "a policy file (JSON) used for every object instead of its annotation")
	fs.StringVar(&c.annotationKey, "annotation-key", "", "the annotation to read the policy from (default coordinator.cci.io/image-replacement)")
	fs.StringVar(&c.mode, "mode", "longest-prefix", "match mode: longest-prefix or exact-parent")
	fs.StringVar(&c.burst, "burst", "", "rewrite only pod specs whose virtual-kubelet.io/burst-to-cci label is one of these (comma-separated: auto, enforce, off); the others are reported as not bursting (default: every pod spec, whatever its label)")
	pullChecks := fs.Bool("pull-checks", true, "warn about pulls a rewrite may break (anonymous-pull, pull-secret-uncovered)")
	fs.StringVar(&c.pullSecrets, "pull-secrets", "", "a JSON file of kubernetes.io/dockerconfigjson Secrets (a Secret, or a List as kubectl get secrets -o json prints it): a pod whose imagePullSecrets cover none of a rewritten image's new registry gets a pull-secret-uncovered warning")
	fs.Int64Var(&c.maxBodyBytes, "max-body-bytes", 7<<20, "the largest request body accepted (larger is 413)")
	fs.DurationVar(&c.readTimeout, "read-timeout", 10*time.Second, "time to read a whole request")
	fs.DurationVar(&c.writeTimeout, "write-timeout", 10*time.Second, "time to write a response")
	fs.DurationVar(&c.shutdownGrace, "shutdown-grace", 20*time.Second, "time to drain requests on SIGTERM")
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
	return c, nil
}

// options builds the imgrepl options of the config, reading the policy file if any.
func (c config) options() (*imgrepl.Options, error) {
	mode, err := imgrepl.ParseMode(c.mode)
	if err != nil {
		return nil, err
	}
	o := &imgrepl.Options{AnnotationKey: c.annotationKey, Mode: mode, SkipPullChecks: c.skipPullChecks}
	if c.burst != "" {
		if o.Burst, err = imgrepl.ParseBurst(c.burst); err != nil {
			return nil, fmt.Errorf("--burst: %w", err)
		}
	}
	if c.pullSecrets != "" {
		text, err := os.ReadFile(c.pullSecrets)
		if err != nil {
			return nil, err
		}
		if o.PullSecrets, err = imgrepl.NewPullSecrets(); err != nil {
			return nil, err
		}
		if err := o.PullSecrets.AddObjects(text); err != nil {
			return nil, fmt.Errorf("%s: %w", c.pullSecrets, err)
		}
	}
	if c.policyFile != "" {
		text, err := os.ReadFile(c.policyFile)
		if err != nil {
			return nil, err
		}
		p, err := imgrepl.ParsePolicy(string(text))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.policyFile, err)
		}
		if mode != imgrepl.LongestPrefix {
			if p, err = p.WithMode(mode); err != nil {
				return nil, err
			}
		}
		o.Policy = p
	}
	return o, nil
}

func main() {
	log := newLogger(os.Stderr)
	c, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		log.error("bad command line", "error", err.Error())
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, c, log, nil); err != nil {
		log.error("exiting", "error", err.Error())
		os.Exit(1)
	}
}
