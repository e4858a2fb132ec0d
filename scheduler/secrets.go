package scheduler

import (
	"context"
	"fmt"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/expr"
)

// secretsFor gathers a run's secrets and variables: the organization's,
// then the repository's, which win on a name they share.
func (s *Scheduler) secretsFor(ctx context.Context, repo *dispatchd.Repo) (map[string]string, *expr.Object, error) {
	owners := []struct {
		scope string
		id    int64
	}{{dispatchd.ScopeRepo, repo.ID}}
	if repo.Owner.IsOrg() {
		owners = append([]struct {
			scope string
			id    int64
		}{{dispatchd.ScopeOrg, repo.OwnerID}}, owners...)
	}
	secrets, vars := map[string]string{}, expr.NewObject()
	for _, o := range owners {
		list, err := s.Store.ListSecrets(ctx, o.scope, o.id)
		if err != nil {
			return nil, nil, err
		}
		for _, x := range list {
			plain, err := s.Keys.Decrypt(dispatchd.SecretAAD(o.scope, o.id, x.Name), x.Sealed)
			if err != nil {
				return nil, nil, fmt.Errorf("secret %s cannot be decrypted with this server's key: %w", x.Name, err)
			}
			secrets[x.Name] = string(plain)
		}
		vl, err := s.Store.ListVariables(ctx, o.scope, o.id)
		if err != nil {
			return nil, nil, err
		}
		for _, v := range vl {
			vars.Set(v.Name, v.Value)
		}
	}
	return secrets, vars, nil
}
