"""The e-mails identity sends, as (subject, text) pairs; French, the platform's language."""


def dossier_invitation(representative: str, company: str, firm: str, link: str, expires: str) -> tuple[str, str]:
    return (f"Activez le dossier {company} sur jefacture",
            f"Bonjour {representative},\n\n{firm} a ouvert le dossier de {company} sur jefacture, la plateforme de "
            f"facturation électronique de votre cabinet.\n\nPour l'activer, créez votre accès avec ce lien "
            f"(valable jusqu'au {expires}, utilisable une seule fois) :\n{link}\n\n"
            "Tant que vous ne l'avez pas fait, le dossier reste fermé.\n")


def new_dossier_opened(name: str, company: str, firm: str, login_link: str) -> tuple[str, str]:
    return (f"Nouveau dossier ouvert : {company}",
            f"Bonjour {name},\n\n{firm} a ouvert le dossier de {company} sur jefacture. Il est déjà accessible avec "
            f"vos identifiants habituels ; choisissez-le dans la liste de vos dossiers :\n{login_link}\n")


def user_invitation(company: str, inviter: str, rights: list[str], link: str, expires: str) -> tuple[str, str]:
    return (f"{inviter} vous invite sur le dossier {company}",
            f"Bonjour,\n\n{inviter} vous invite à rejoindre le dossier {company} sur jefacture avec les droits : "
            f"{', '.join(rights) or 'consultation'}.\n\nCréez votre accès avec ce lien (valable jusqu'au {expires}, "
            f"utilisable une seule fois) :\n{link}\n")


def collaborator_added(firm: str, admin: bool, login_link: str) -> tuple[str, str]:
    role = "administrateur" if admin else "collaborateur"
    return (f"Vous êtes {role} du cabinet {firm} sur jefacture",
            f"Bonjour,\n\nVous avez été ajouté comme {role} du cabinet {firm} sur jefacture. Connectez-vous avec "
            f"votre compte de la profession :\n{login_link}\n")


def password_reset(link: str, expires: str) -> tuple[str, str]:
    return ("Réinitialisation de votre mot de passe jefacture",
            f"Bonjour,\n\nUne réinitialisation du mot de passe a été demandée pour cette adresse. Si c'est vous, "
            f"choisissez un nouveau mot de passe avec ce lien (valable jusqu'au {expires}, une seule fois) :\n{link}\n"
            "\nSinon, ignorez ce message : votre mot de passe reste inchangé.\n")
