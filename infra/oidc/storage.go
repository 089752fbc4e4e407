package main

import (
	"context"
	"errors"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// CabinetsClaim lists the accounting firms of an expert-comptable, released with the profile scope.
const CabinetsClaim = "cabinets"

var errNotOffered = errors.New("not offered by this provider")

// firmStorage is the example's in-memory storage with our users, the cabinets claim, and one web client
// that gets the profile and email claims in its ID token. The example's demo service accounts are refused.
type firmStorage struct {
	*storage.Storage
	users *userStore
}

func newFirmStorage(users *userStore, client *storage.Client) *firmStorage {
	clients := map[string]*storage.Client{client.GetID(): client}
	return &firmStorage{Storage: storage.NewStorageWithClients(users, clients), users: users}
}

// SetUserinfoFromRequest fills the ID token.
func (s *firmStorage) SetUserinfoFromRequest(ctx context.Context, userinfo *oidc.UserInfo, request op.IDTokenRequest,
	scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, userinfo, request, scopes); err != nil {
		return err
	}
	if slices.Contains(scopes, oidc.ScopeProfile) {
		userinfo.AppendClaims(CabinetsClaim, s.users.Cabinets(request.GetSubject()))
	}
	return nil
}

// SetUserinfoFromToken fills the userinfo answer. The example keeps the token's scopes to itself, so the
// profile claims it released (preferred_username is one) tell whether the profile scope was granted.
func (s *firmStorage) SetUserinfoFromToken(ctx context.Context, userinfo *oidc.UserInfo, tokenID, subject,
	origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, userinfo, tokenID, subject, origin); err != nil {
		return err
	}
	if userinfo.PreferredUsername != "" {
		userinfo.AppendClaims(CabinetsClaim, s.users.Cabinets(subject))
	}
	return nil
}

// GetClientByClientID asserts the profile and email claims into the ID token as well as at userinfo: the
// gateway reads who signed in from the ID token alone.
func (s *firmStorage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	client, err := s.Storage.GetClientByClientID(ctx, clientID)
	if err != nil {
		return nil, err
	}
	return claimsInIDToken{client}, nil
}

// ClientCredentials refuses the example's hard-coded service user.
func (s *firmStorage) ClientCredentials(context.Context, string, string) (op.Client, error) {
	return nil, errNotOffered
}

// GetKeyByIDAndClientID refuses the example's published JWT-profile key.
func (s *firmStorage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotOffered
}

// ValidateTokenExchangeRequest refuses token exchange (impersonation in the example).
func (s *firmStorage) ValidateTokenExchangeRequest(context.Context, op.TokenExchangeRequest) error {
	return errNotOffered
}

type claimsInIDToken struct {
	op.Client
}

func (claimsInIDToken) IDTokenUserinfoClaimsAssertion() bool {
	return true
}
