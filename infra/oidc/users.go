package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"golang.org/x/text/language"
)

// Cabinet is an accounting firm a person is a registered expert-comptable of.
type Cabinet struct {
	Siren string `json:"siren"`
	Name  string `json:"name"`
}

type fileUser struct {
	ID                string    `json:"id"`
	Username          string    `json:"username"`
	Password          string    `json:"password"`
	GivenName         string    `json:"given_name"`
	FamilyName        string    `json:"family_name"`
	Email             string    `json:"email"`
	PreferredLanguage string    `json:"preferred_language"`
	Cabinets          []Cabinet `json:"cabinets"`
	Note              string    `json:"note"` // for the people reading the file; never released
}

type usersFile struct {
	Comment string     `json:"_comment"`
	Users   []fileUser `json:"users"`
}

// userStore implements storage.UserStore over the users of a JSON file, plus their cabinets.
type userStore struct {
	byID     map[string]*storage.User
	cabinets map[string][]Cabinet
}

func loadUsers(path string) (*userStore, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read users file: %w", err)
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	var file usersFile
	if err := decoder.Decode(&file); err != nil {
		return nil, fmt.Errorf("users file %s is not valid: %w", path, err)
	}
	if len(file.Users) == 0 {
		return nil, fmt.Errorf("users file %s has no users", path)
	}
	store := &userStore{byID: map[string]*storage.User{}, cabinets: map[string][]Cabinet{}}
	for i, raw := range file.Users {
		if err := store.add(raw); err != nil {
			return nil, fmt.Errorf("users file %s, user #%d (%q): %w", path, i+1, raw.Username, err)
		}
	}
	return store, nil
}

func (s *userStore) add(raw fileUser) error {
	for name, value := range map[string]string{"id": raw.ID, "username": raw.Username, "password": raw.Password,
		"given_name": raw.GivenName, "family_name": raw.FamilyName, "email": raw.Email} {
		if strings.TrimSpace(value) == "" {
			return fmt.Errorf("%s is missing", name)
		}
	}
	if _, taken := s.byID[raw.ID]; taken {
		return fmt.Errorf("id %q is used twice", raw.ID)
	}
	if s.GetUserByUsername(raw.Username) != nil {
		return fmt.Errorf("username is used twice")
	}
	tag, err := language.Parse(raw.PreferredLanguage)
	if err != nil {
		return fmt.Errorf("preferred_language %q is not a language tag: %w", raw.PreferredLanguage, err)
	}
	for _, cabinet := range raw.Cabinets {
		if !validSiren(cabinet.Siren) {
			return fmt.Errorf("cabinet %q has an invalid SIREN %q (9 digits, Luhn check)", cabinet.Name, cabinet.Siren)
		}
		if strings.TrimSpace(cabinet.Name) == "" {
			return fmt.Errorf("cabinet %s has no name", cabinet.Siren)
		}
	}
	s.byID[raw.ID] = &storage.User{
		ID:                raw.ID,
		Username:          raw.Username,
		Password:          raw.Password,
		FirstName:         raw.GivenName,
		LastName:          raw.FamilyName,
		Email:             raw.Email,
		EmailVerified:     true,
		PreferredLanguage: tag,
	}
	s.cabinets[raw.ID] = append([]Cabinet{}, raw.Cabinets...)
	return nil
}

func (s *userStore) GetUserByID(id string) *storage.User {
	return s.byID[id]
}

// GetUserByUsername ignores case: usernames are e-mail addresses.
func (s *userStore) GetUserByUsername(username string) *storage.User {
	for _, user := range s.byID {
		if strings.EqualFold(user.Username, username) {
			return user
		}
	}
	return nil
}

// ExampleClientID names the example's JWT-profile service account; firmStorage refuses that grant anyway.
func (s *userStore) ExampleClientID() string {
	return "no-service-account"
}

// Cabinets of a user, never nil: a collaborator has an empty list.
func (s *userStore) Cabinets(userID string) []Cabinet {
	return s.cabinets[userID]
}

func validSiren(siren string) bool {
	if len(siren) != 9 {
		return false
	}
	sum := 0
	for i, r := range siren {
		if r < '0' || r > '9' {
			return false
		}
		digit := int(r - '0')
		if i%2 == 1 {
			digit *= 2
			if digit > 9 {
				digit -= 9
			}
		}
		sum += digit
	}
	return sum%10 == 0
}
