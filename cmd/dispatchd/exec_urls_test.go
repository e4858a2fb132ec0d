package main

import "testing"

// The API and GraphQL URLs of `dispatchd exec`'s github context are
// GitHub's for github.com and GitHub Enterprise Server's for any other
// server (github.api_url, github.graphql_url).
func TestExecContextURLs(t *testing.T) {
	for _, c := range []struct{ server, api, graphql string }{
		{"https://github.com", "https://api.github.com", "https://api.github.com/graphql"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/api/v3", "http://127.0.0.1:8080/api/graphql"},
	} {
		if api, gql := apiURLOf(c.server), graphqlURLOf(c.server); api != c.api || gql != c.graphql {
			t.Errorf("%s: api %s, graphql %s; want %s, %s", c.server, api, gql, c.api, c.graphql)
		}
	}
}
