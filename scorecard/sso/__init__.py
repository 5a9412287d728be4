"""Company sign-in: OpenID Connect single sign-on and LDAP / Active Directory.

- `provisioning`: who an external profile is in Scorecard (link, just-in-time account, role
  from the group mappings), and who may still use a local password;
- `oidc`: the OpenID Connect client (Authlib), `directory`: the LDAP client (ldap3);
- `views`: the blueprint, a package: `sign_in` (the sign-in routes), `sessions` (local
  passwords switched off; open directory sessions ask the directory again after an
  interval), `admin` (the admin page that maps groups to roles).
"""
