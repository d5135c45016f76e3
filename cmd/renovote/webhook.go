package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/renovote/renovote/bot"
)

// webhookSecretPattern is what Telegram accepts as secret_token.
var webhookSecretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// parseWebhook reads the webhook settings into c and returns their problems.
func parseWebhook(c *config, vals map[string]*string) []string {
	var problems []string
	c.WebhookURL = strings.TrimSpace(*vals["RENOVOTE_WEBHOOK_URL"])
	c.WebhookSecret = strings.TrimSpace(*vals["RENOVOTE_WEBHOOK_SECRET"])
	c.WebhookAddr = strings.TrimSpace(*vals["RENOVOTE_WEBHOOK_ADDR"])
	if c.WebhookSecret != "" && !webhookSecretPattern.MatchString(c.WebhookSecret) {
		problems = append(problems, "RENOVOTE_WEBHOOK_SECRET (-webhook-secret): 1 to 256 characters A-Z, a-z, 0-9, _ or - (Telegram's rule)")
	}
	if c.WebhookAddr != "" && !validHostPort(c.WebhookAddr) {
		problems = append(problems, fmt.Sprintf("RENOVOTE_WEBHOOK_ADDR (-webhook-addr): %q is not host:port with a port from 1 to 65535 (e.g. :8081)", c.WebhookAddr))
	}
	if c.WebhookURL == "" {
		return problems
	}
	if !webhookURLOK(c.WebhookURL) {
		problems = append(problems, fmt.Sprintf("RENOVOTE_WEBHOOK_URL (-webhook-url): %q is not an https URL without query (e.g. https://vote.example.org/tg/hook)", c.WebhookURL))
	}
	if c.WebhookAddr == "" {
		problems = append(problems, "RENOVOTE_WEBHOOK_URL (-webhook-url) needs RENOVOTE_WEBHOOK_ADDR (-webhook-addr): the address the endpoint listens on, behind the TLS proxy")
	}
	if c.WebhookAddr != "" && c.WebhookAddr == c.HTTPAddr {
		problems = append(problems, "RENOVOTE_WEBHOOK_ADDR (-webhook-addr) must differ from RENOVOTE_HTTP_ADDR (-http-addr): the metrics stay private")
	}
	return problems
}

// webhookURLOK: Telegram posts to https URLs only; plain http is let through
// on loopback hosts, where only a test's fake Telegram can post.
func webhookURLOK(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		ip := net.ParseIP(u.Hostname())
		return u.Hostname() == "localhost" || ip != nil && ip.IsLoopback()
	}
	return false
}

// webhookConfig is the bot's webhook mode, off without a URL.
func (c *cli) webhookConfig() bot.WebhookConfig {
	if c.cfg.WebhookURL == "" {
		return bot.WebhookConfig{}
	}
	return bot.WebhookConfig{URL: c.cfg.WebhookURL, Secret: c.cfg.WebhookSecret, Addr: c.cfg.WebhookAddr,
		DeleteOnExit: c.cfg.WebhookDeleteOnExit}
}

// webhookCmd runs "renovote webhook info|delete".
func (c *cli) webhookCmd(ctx context.Context, sub string, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("webhook %s: unexpected %q (flags start with -)", sub, args)
	}
	switch sub {
	case "delete":
		if err := bot.DeleteWebhook(ctx, c.cfg.Token, c.cfg.APIURL, c.cfg.WebhookDropPending); err != nil {
			return fmt.Errorf("webhook delete: %w", err)
		}
		fmt.Fprint(c.out, "webhook deleted: a bot started without -webhook-url gets the updates by long polling")
		if c.cfg.WebhookDropPending {
			fmt.Fprint(c.out, "; the updates Telegram held were dropped")
		}
		fmt.Fprintln(c.out)
		return nil
	case "info":
		st, err := bot.GetWebhookInfo(ctx, c.cfg.Token, c.cfg.APIURL)
		if err != nil {
			return fmt.Errorf("webhook info: %w", err)
		}
		if c.asJSON {
			enc := json.NewEncoder(c.out)
			enc.SetIndent("", "  ")
			return enc.Encode(st)
		}
		if st.URL == "" {
			fmt.Fprintf(c.out, "webhook: none (the bot long-polls)\npending updates: %d\n", st.PendingUpdates)
			return nil
		}
		fmt.Fprintf(c.out, "webhook: %s\npending updates: %d\nmax connections: %d\n", st.URL, st.PendingUpdates, st.MaxConnections)
		if len(st.AllowedUpdates) > 0 {
			fmt.Fprintf(c.out, "allowed updates: %s\n", strings.Join(st.AllowedUpdates, ", "))
		}
		if st.IPAddress != "" {
			fmt.Fprintf(c.out, "ip address: %s\n", st.IPAddress)
		}
		if st.LastError != "" {
			at := st.LastErrorAt
			if c.cfg.TZ != nil {
				at = at.In(c.cfg.TZ)
			}
			fmt.Fprintf(c.out, "last error: %s: %s\n", at.Format(time.DateTime+" -0700"), st.LastError)
		}
		return nil
	}
	return fmt.Errorf("webhook: unknown action %q (info or delete)", sub)
}
