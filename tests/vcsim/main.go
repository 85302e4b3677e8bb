// Copyright (c) sessionkit.vmware contributors
// GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
// SPDX-License-Identifier: GPL-3.0-or-later

// Command vcsim runs govmomi's vCenter simulator as a real HTTPS peer for the functional tests.
//
// Why this exists: Debian ships govmomi (0.24.2, golang-github-vmware-govmomi-dev) only as a library, with no
// vcsim binary, and the tests must not fetch anything through the Go module proxy. This small main builds
// offline against the Debian package (see scripts/build-vcsim.sh) and adds the three things the tests need
// and upstream's vcsim lacks: the certificate the tests generated (so the client verifies TLS for real, rather
// than trusting govmomi's built-in localhost certificate), a free port picked by the kernel, and a URL file
// written atomically so a test knows when, and where, the server is listening.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/vmware/govmomi/simulator"
	// Imported for its init(), which registers the vAPI REST endpoints (/rest/com/vmware/cis/session, tagging,
	// content library); without it vcsim serves SOAP only.
	_ "github.com/vmware/govmomi/vapi/simulator"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on; port 0 picks a free port")
	certFile := flag.String("cert", "", "PEM server certificate (required)")
	keyFile := flag.String("key", "", "PEM private key of -cert (required)")
	urlFile := flag.String("url-file", "", "once listening, write the base URL (https://HOST:PORT) to this file")
	flag.Parse()

	if err := run(*listen, *certFile, *keyFile, *urlFile); err != nil {
		fmt.Fprintln(os.Stderr, "vcsim:", err)
		os.Exit(1)
	}
}

func run(listen, certFile, keyFile, urlFile string) error {
	// Without a certificate govmomi would fall back to its own localhost one, which no test trusts; refuse instead
	// of serving something that only looks right.
	if certFile == "" || keyFile == "" {
		return fmt.Errorf("-cert and -key are required")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return fmt.Errorf("loading certificate: %w", err)
	}

	// Subscribe before starting, so a signal sent the moment the URL file appears is not lost.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)

	model := simulator.VPX()
	// Remove deletes the temporary datastore directories Create makes, so it must run even on a failed start.
	defer model.Remove()
	if err := model.Create(); err != nil {
		return fmt.Errorf("creating the VPX model: %w", err)
	}

	// 0.24.2 has no options for these: NewServer reads Service.Listen.Host as the listen address (it panics if
	// it cannot listen) and serves TLS with Service.TLS when that is set, its first certificate being ours.
	model.Service.Listen = &url.URL{Host: listen}
	model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	// The vAPI endpoints registered by the blank import above are only mounted when this is set.
	model.Service.RegisterEndpoints = true

	server, err := newServer(model.Service)
	if err != nil {
		return err
	}
	defer server.Close()

	// Server.URL is the SOAP URL (https://user:pass@HOST:PORT/sdk); the tests want only scheme and host.
	base := server.URL.Scheme + "://" + server.URL.Host
	if urlFile != "" {
		if err := writeAtomically(urlFile, base); err != nil {
			return err
		}
		// A URL file left behind would point the next test at a dead port.
		defer os.Remove(urlFile)
	}
	fmt.Fprintln(os.Stderr, "vcsim: listening on", base)

	sig := <-stop
	fmt.Fprintln(os.Stderr, "vcsim: shutting down on", sig)
	return nil
}

// newServer turns the panic NewServer raises when it cannot listen (address in use, bad address) into an error.
func newServer(service *simulator.Service) (server *simulator.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("starting the server: %v", r)
		}
	}()
	return service.NewServer(), nil
}

// writeAtomically writes through a temporary file in the same directory and renames it, so a test polling for
// the file never reads it half-written.
func writeAtomically(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".vcsim-url-*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
