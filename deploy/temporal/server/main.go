// The Temporal server of the production topology (bin/cluster, compose): the stock server
// of go.temporal.io/server with one change, an authorizer that lets each client certificate
// make only the calls the access policy grants it (#25; access.go). The stock server, with
// mTLS alone, lets every certificate from the CA do everything.
//
//	temporal-server --root DIR --config config --env production --access FILE start
//	temporal-server --config DIR --env production render-config
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	_ "time/tzdata" // as the stock server: zone data even where the system has none

	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
	_ "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql" // the topology's store
	"go.temporal.io/server/temporal"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "temporal-server:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	flags := flag.NewFlagSet("temporal-server", flag.ContinueOnError)
	root := flags.String("root", ".", "root directory of the configuration")
	configDir := flags.String("config", "config", "configuration directory, relative to --root")
	env := flags.String("env", "production", "configuration file name (environment)")
	access := flags.String("access", "", "the access policy (config/temporal-access.yaml); required")
	if err := flags.Parse(args); err != nil {
		return err
	}
	command := flags.Arg(0)
	if flags.NArg() != 1 || (command != "start" && command != "render-config") {
		return fmt.Errorf("usage: temporal-server --root DIR --config DIR --env NAME [--access FILE] start|render-config")
	}
	dir := *configDir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(*root, dir)
	}
	cfg, err := config.LoadConfig(*env, dir, "")
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	if command == "render-config" { // the configuration as the server reads it (compose's is tested so)
		fmt.Println(cfg.String())
		return nil
	}
	if *access == "" {
		return fmt.Errorf("--access is required: without a policy every certificate could do everything")
	}
	policy, err := LoadPolicy(*access)
	if err != nil {
		return fmt.Errorf("access policy: %w", err)
	}
	logger := log.NewZapLogger(log.BuildZapLogger(cfg.Log))
	logger.Info("Access policy loaded", tag.NewStringTag("file", *access), tag.NewInt("parties", len(policy.Parties)))

	dynamic := dynamicconfig.Client(dynamicconfig.NewNoopClient())
	if cfg.DynamicConfigClient != nil {
		dynamic, err = dynamicconfig.NewFileBasedClient(cfg.DynamicConfigClient, logger, temporal.InterruptCh())
		if err != nil {
			return fmt.Errorf("dynamic configuration: %w", err)
		}
	}
	server, err := temporal.NewServer(
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithConfig(cfg),
		temporal.WithDynamicConfigClient(dynamic),
		temporal.WithLogger(logger),
		temporal.InterruptOn(temporal.InterruptCh()),
		temporal.WithAuthorizer(&policyAuthorizer{policy: policy, logger: logger}),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return certificateClaims{} }),
	)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	return server.Start()
}
