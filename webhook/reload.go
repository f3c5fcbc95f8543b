package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/imgrepl/imgrepl/go/imgrepl"
)

// watched is a file the server reads again when it changes: --policy or --pull-secrets. A
// mounted ConfigMap or Secret changes by swapping a symlink, so the stamp is taken through
// the link (device, inode, size, modification time). A new content that does not parse keeps
// the last good one.
type watched struct {
	name  string // the flag, for logs and metrics: "policy" or "pull-secrets"
	path  string
	stamp string
	// Outcomes, for /metrics.
	loads       uint64 // successful loads, the first included
	failures    uint64
	lastSuccess int64 // unix seconds of the last successful load
	lastOK      int32 // 1 when the last attempt succeeded
}

func fileStamp(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "missing"
	}
	var dev, ino uint64
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		dev, ino = uint64(st.Dev), st.Ino
	}
	return fmt.Sprintf("%d:%d:%d:%d", dev, ino, fi.Size(), fi.ModTime().UnixNano())
}

func (w *watched) recordLoad(err error) {
	now := time.Now().Unix()
	if err != nil {
		atomic.AddUint64(&w.failures, 1)
		atomic.StoreInt32(&w.lastOK, 0)
		return
	}
	atomic.AddUint64(&w.loads, 1)
	atomic.StoreInt64(&w.lastSuccess, now)
	atomic.StoreInt32(&w.lastOK, 1)
}

// settings is what a review reads: the options built from the flags and the files, prepared
// once for /mutate and once for /audit, and replaced as a whole when a file is reloaded. Old
// reviewers, policies and pull secrets are freed by their finalizers once no review holds
// them.
type settings struct {
	opts   *imgrepl.Options
	mutate *imgrepl.Reviewer
	audit  *imgrepl.Reviewer
}

// loader holds the files and builds the settings.
type loader struct {
	c       config
	log     *logger
	base    imgrepl.Options // from the flags
	mode    imgrepl.Mode
	policy  *watched
	secrets *watched

	mu         sync.Mutex // serializes reloads
	curPolicy  *imgrepl.Policy
	curSecrets *imgrepl.PullSecrets
	current    atomic.Value // *settings
}

// newLoader reads the files once; a file that cannot be read or parsed at start is an error
// (the server does not start without its configuration).
func newLoader(c config, log *logger, cache *imgrepl.PolicyCache) (*loader, error) {
	mode, err := imgrepl.ParseMode(c.mode)
	if err != nil {
		return nil, err
	}
	l := &loader{c: c, log: log, mode: mode}
	l.base = imgrepl.Options{AnnotationKey: c.annotationKey, Mode: mode, SkipPullChecks: c.skipPullChecks,
		Cache: cache, ExcludeNamespace: c.namespace}
	if c.burst != "" {
		if l.base.Burst, err = imgrepl.ParseBurst(c.burst); err != nil {
			return nil, fmt.Errorf("--burst: %w", err)
		}
	}
	if c.policyFile != "" {
		l.policy = &watched{name: "policy", path: c.policyFile}
		if err := l.loadPolicy(); err != nil {
			return nil, err
		}
	}
	if c.pullSecrets != "" {
		l.secrets = &watched{name: "pull-secrets", path: c.pullSecrets}
		if err := l.loadSecrets(); err != nil {
			return nil, err
		}
	}
	if err := l.publish(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *loader) settings() *settings { return l.current.Load().(*settings) }

func (l *loader) publish() error {
	o := l.base
	o.Policy = l.curPolicy
	o.PullSecrets = l.curSecrets
	mutate, err := imgrepl.NewReviewer(&o)
	if err != nil {
		return err
	}
	a := o
	a.Audit = true
	audit, err := imgrepl.NewReviewer(&a)
	if err != nil {
		return err
	}
	l.current.Store(&settings{opts: &o, mutate: mutate, audit: audit})
	return nil
}

func (l *loader) loadPolicy() error {
	w := l.policy
	w.stamp = fileStamp(w.path)
	text, err := os.ReadFile(w.path)
	if err == nil {
		var p *imgrepl.Policy
		if p, err = imgrepl.ParsePolicy(string(text)); err == nil && l.mode != imgrepl.LongestPrefix {
			p, err = p.WithMode(l.mode)
		}
		if err == nil {
			l.curPolicy = p
		}
	}
	if err != nil {
		err = fmt.Errorf("%s: %w", w.path, err)
	}
	w.recordLoad(err)
	return err
}

func (l *loader) loadSecrets() error {
	w := l.secrets
	w.stamp = fileStamp(w.path)
	text, err := os.ReadFile(w.path)
	var s *imgrepl.PullSecrets
	if err == nil {
		if s, err = imgrepl.NewPullSecrets(); err == nil {
			err = s.AddObjects(text)
		}
	}
	if err == nil {
		var info imgrepl.PullSecretsInfo
		if info, err = s.Info(); err == nil {
			for _, p := range info.Problems {
				l.log.warn("pull secret not read", "file", w.path, "code", p.Code, "pointer", p.Pointer, "message", p.Message)
			}
			l.log.info("pull secrets read", "file", w.path, "secrets", len(info.Secrets))
			l.curSecrets = s
		}
	}
	if err != nil {
		err = fmt.Errorf("%s: %w", w.path, err)
	}
	w.recordLoad(err)
	return err
}

// check reloads the files whose stamp changed; it returns whether anything was replaced.
func (l *loader) check() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	changed := false
	for _, f := range []struct {
		w    *watched
		load func() error
	}{{l.policy, l.loadPolicy}, {l.secrets, l.loadSecrets}} {
		if f.w == nil || fileStamp(f.w.path) == f.w.stamp {
			continue
		}
		if err := f.load(); err != nil {
			l.log.error("reload failed; keeping the last good file", "file", f.w.name, "error", err.Error())
			continue
		}
		l.log.info("reloaded", "file", f.w.name, "path", f.w.path)
		changed = true
	}
	if changed {
		if err := l.publish(); err != nil {
			l.log.error("reload failed; keeping the last good settings", "error", err.Error())
			return false
		}
	}
	return changed
}

// watch checks the files every interval until ctx ends.
func (l *loader) watch(ctx context.Context, interval time.Duration) {
	if l.policy == nil && l.secrets == nil {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.check()
		}
	}
}

// files lists the watched files, for /metrics.
func (l *loader) files() []*watched {
	var out []*watched
	for _, w := range []*watched{l.policy, l.secrets} {
		if w != nil {
			out = append(out, w)
		}
	}
	return out
}
