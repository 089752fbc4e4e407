// Command oidc-provider runs zitadel/oidc's example OpenID Provider for development and tests, in place of
// ComptExpert: users (with the cabinets claim) from a JSON file, one confidential web client.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
)

// redirectURIs is a flag that may be repeated and may hold several comma-separated URIs.
type redirectURIs []string

func (r *redirectURIs) String() string {
	return strings.Join(*r, ",")
}

func (r *redirectURIs) Set(value string) error {
	for _, uri := range strings.Split(value, ",") {
		uri = strings.TrimSpace(uri)
		parsed, err := url.Parse(uri)
		if err != nil || parsed.Scheme == "" || parsed.Host == "" {
			return fmt.Errorf("%q is not an absolute URL", uri)
		}
		*r = append(*r, uri)
	}
	return nil
}

type options struct {
	listen, issuer, usersFile, clientID, clientSecret string
	redirectURIs                                      redirectURIs
}

func parseFlags() options {
	var o options
	flag.StringVar(&o.listen, "listen", "127.0.0.1:8093", "TCP address to listen on")
	flag.StringVar(&o.issuer, "issuer", "", "issuer URL, e.g. http://127.0.0.1:8093 (default: http://<listen>)")
	flag.StringVar(&o.usersFile, "users", "", "JSON file of the users (required)")
	flag.StringVar(&o.clientID, "client-id", "", "client_id of the web client (required)")
	flag.StringVar(&o.clientSecret, "client-secret", "", "client_secret of the web client (required)")
	flag.Var(&o.redirectURIs, "redirect-uri", "redirect URI of the web client (repeatable, or comma-separated)")
	flag.Parse()
	if o.issuer == "" {
		o.issuer = "http://" + o.listen
	}
	for name, value := range map[string]string{"--users": o.usersFile, "--client-id": o.clientID,
		"--client-secret": o.clientSecret} {
		if value == "" {
			log.Fatalf("%s is required", name)
		}
	}
	if len(o.redirectURIs) == 0 {
		log.Fatal("--redirect-uri is required")
	}
	return o
}

func main() {
	o := parseFlags()
	users, err := loadUsers(o.usersFile)
	if err != nil {
		log.Fatal(err)
	}
	// A confidential web client: client_secret_basic (client_secret_post is accepted too), PKCE S256 if sent.
	client := storage.WebClient(o.clientID, o.clientSecret, o.redirectURIs...)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	router := exampleop.SetupServer(o.issuer, newFirmStorage(users, client), logger, false)

	listener, err := net.Listen("tcp", o.listen)
	if err != nil {
		log.Fatalf("cannot listen on %s: %v", o.listen, err)
	}
	server := &http.Server{Handler: router, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdown)
	}()

	logger.Info("OpenID Provider listening", "issuer", o.issuer, "address", o.listen, "users", len(users.byID),
		"client_id", o.clientID, "redirect_uris", o.redirectURIs.String())
	if err := server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("server stopped: %v", err)
	}
}
