/** French: every English key, "tu" as in Discord's own French, short enough to read on a phone. */
import type { Translation } from '../locales.ts';

export const fr = {
  // Failures (en/failures.ts)
  'failure.picture_not_an_image':
    "Ce fichier n'est pas une image que le bot sait lire. Joins une photo (JPEG, PNG, WebP, AVIF, GIF ou TIFF).",
  'failure.picture_gif': 'Les GIF (animés ou non) ne sont pas acceptés ; joins une image .png ou .jpg.',
  'failure.picture_webp': 'Les images WebP ne sont pas acceptées ; joins une image .png ou .jpg.',
  'failure.picture_damaged': 'Cette image {format} semble abîmée ou incomplète ; enregistre-la à nouveau ou joins-en une autre.',
  'failure.picture_too_small': 'Cette image fait {width}x{height} ; il faut au moins {minWidth}x{minHeight} pixels.',
  'failure.picture_too_many_pixels': 'Cette image est trop grande (plus de {megapixels} mégapixels) ; joins-en une plus petite.',
  'failure.picture_too_large': 'Cette image dépasse {megabytes} Mo ; joins-en une plus petite.',
  'failure.picture_unusable':
    "Cette image n'est pas utilisable : joins un PNG ou un JPEG d'au moins {minWidth}x{minHeight}, jusqu'à {megabytes} Mo.",
  'failure.picture_unavailable': 'Impossible de télécharger ton image depuis Discord. Réessaie.',
  'failure.picture_not_on_discord':
    "Le bot ne récupère que les images envoyées sur Discord, et celle-ci pointe ailleurs. Joins directement le fichier de l'image.",
  'failure.provider_rejected': 'Le fournisseur a refusé cette image ou ce prompt.',
  'failure.provider_rejected_because': 'Le fournisseur a refusé cette image ou ce prompt : {reason}',
  'failure.generation_failed': "Le service vidéo n'a pas pu créer cette vidéo, sans donner de raison.",
  'failure.generation_failed_because': "Le service vidéo n'a pas pu créer cette vidéo : {reason}",
  'failure.generation_timed_out': 'Le service vidéo a mis trop de temps. Réessaie /animer plus tard.',
  'failure.video_lost': "La vidéo a été créée, mais le bot n'a pas pu la récupérer auprès du service vidéo. Réessaie /animer.",
  'failure.provider_misconfigured': 'Le service vidéo est mal configuré côté bot. Un admin a été prévenu.',
  'failure.provider_out_of_credit': 'La création de vidéos est indisponible pour le moment. Réessaie plus tard.',
  'failure.provider_unavailable': 'Le service vidéo ne répond pas pour le moment. Réessaie /animer dans quelques minutes.',
  'failure.submit_unknown':
    "On a perdu le contact avec le service vidéo pendant l'envoi de ton image : impossible de savoir si la création a commencé. Pour ne pas te faire payer deux fois, rien n'a été renvoyé. Réessaie /animer dans une minute.",
  'failure.cancelled': 'Annulé avant de commencer.',
  'failure.internal': 'Un problème est survenu de notre côté (réf. {ref}). Réessaie /animer.',

  // Replies (en/replies.ts)
  'progress.checking': '🔍 Vérification de ton image…',
  'progress.waiting': '⏳ En attente du démarrage du service vidéo…',
  'progress.waiting_turn': '⏳ En attente de la fin de ta vidéo précédente ({position} dans la file). Tes unités sont réservées.',
  'progress.paused': '⏸️ La création de vidéos est en pause quelques minutes ; la tienne démarrera à la reprise.',
  'progress.generating': '🎬 Création de ta vidéo…',
  'progress.generating_percent': '🎬 Création de ta vidéo… {percent} %',
  'progress.generating_eta': '🎬 Création de ta vidéo… prête {eta}',
  'progress.generating_percent_eta': '🎬 Création de ta vidéo… {percent} %, prête {eta}',
  'progress.delivering': '📦 Envoi de ta vidéo…',
  'progress.still_working': "⏳ Ta vidéo est toujours en cours. Elle sera publiée dans ce salon avec une mention dès qu'elle sera prête.",

  'final.video': '🎬 Voici ta vidéo !',
  'final.video_link_cannot_attach':
    "🎬 Ta vidéo est prête, mais le bot n'a pas le droit de joindre des fichiers dans ce salon.\nTélécharge-la ici (le lien expire {expires}) : {url}",
  'final.video_link_too_large':
    "🎬 Ta vidéo est prête, mais elle dépasse la limite d'envoi de {limit} de ce serveur.\nTélécharge-la ici (le lien expire {expires}) : {url}",
  'final.video_link_too_large_sized':
    "🎬 Ta vidéo est prête, mais avec {size} elle dépasse la limite d'envoi de {limit} de ce serveur.\nTélécharge-la ici (le lien expire {expires}) : {url}",
  'final.failed': '❌ {failure}',
  'final.failed_refunded': '❌ {failure} {refund}',
  'final.refund': {
    plural: 'cardinal',
    one: "{count} unité t'a été rendue.",
    many: "{count} unités t'ont été rendues.",
    other: "{count} unités t'ont été rendues.",
  },
  'final.interrupted': "🔄 Le bot a redémarré avant de pouvoir lancer ta vidéo, donc rien n'a été créé. {refund} Réessaie.",

  'reply.with_prompt': '{text}\n> {prompt}',
  'reply.late_delivery': '{member} {text}',
  'reply.direct_delivery': '{text}\n-# Envoyé ici car le bot ne peut pas publier dans {channel}.',
  'reply.generic_apology': '❌ Un problème est survenu de notre côté (réf. {ref}). Réessaie dans un instant.',
  'reply.servers_only': '{command} ne fonctionne que sur les serveurs.',
  'reply.not_enabled':
    "🚫 Ce bot n'est pas activé sur ce serveur. Demande à la personne qui gère le bot si tu penses qu'il devrait l'être.",
  'reply.needs_manage_server': '🚫 Seuls les membres avec la permission Gérer le serveur peuvent utiliser {command}.',

  'cancel.button': 'Annuler',
  'cancel.not_found': "Cette création n'existe plus.",
  'cancel.not_allowed': 'Seule la personne qui l’a demandée (ou un modérateur) peut annuler cette création.',
  'cancel.started': 'Cette création a déjà commencé, elle ne peut plus être annulée.',
  'cancel.finished': 'Cette création est déjà terminée.',

  'animate.problem.prompt': '❌ Le prompt doit faire entre 1 et {max} caractères.',
  'animate.problem.negative_prompt': '❌ Le prompt négatif doit faire au plus {max} caractères.',
  'animate.problem.server': '❌ /animer ne fonctionne que sur les serveurs.',
  'animate.problem.image': "❌ Joins une image dans l'option image.",
  'animate.problem.options': '❌ Ces options ne sont pas valides : la durée vaut 5 ou 10 et cfg_scale est entre 0 et 1.',

  'number.units': { plural: 'cardinal', one: '{count} unité', many: '{count} unités', other: '{count} unités' },
  'number.ordinal': { plural: 'ordinal', one: '{count}er', other: '{count}e' },
  'number.megabytes': '{megabytes} Mo',
  'list.more': { plural: 'cardinal', one: '{count} autre', many: '{count} autres', other: '{count} autres' },

  // Quota (en/quota.ts)
  'period.day': 'jour',
  'period.week': 'semaine',
  'period.month': 'mois',
  'limit.none': 'aucune limite',

  'rule.member': 'ton allocation personnelle, fixée par un modérateur',
  'rule.role': "l'allocation de ton rôle {role}",
  'rule.server': "l'allocation par défaut de ce serveur",

  'refusal.channel': '🚫 /animer ne peut pas être utilisé dans ce salon. Essaie dans {channels}.',
  'refusal.paused': "⏸️ La création de vidéos est indisponible pour le moment. Réessaie {when}. Aucune unité n'a été utilisée.",
  'refusal.blocked':
    '🚫 Tu ne peux pas créer de vidéos sur ce serveur : {rule} vaut 0. Demande à un modérateur si tu penses que c’est une erreur.',
  'refusal.member_units':
    '🚫 Pas assez d’unités : il te reste {left} sur ton allocation par {period} et cette vidéo en demande {needed} ({rule}). Tes unités se renouvellent {renews} ({renewsAt}).',
  'refusal.member_units_some_left':
    '🚫 Pas assez d’unités : il te reste {left} sur ton allocation par {period} et cette vidéo en demande {needed} ({rule}). Tes unités se renouvellent {renews} ({renewsAt}). Une vidéo de 5 secondes coûte 1 unité.',
  'refusal.server_units': '🚫 Ce serveur a épuisé son budget vidéo par {period}. Il se renouvelle {renews} ({renewsAt}).',
  'refusal.global_units':
    '🚫 Le bot a atteint sa limite quotidienne sur l’ensemble des serveurs. Elle se renouvelle {renews} ({renewsAt}).',
  'refusal.server_ceiling':
    '🚫 Ce serveur a atteint la limite quotidienne du bot de {units} par serveur, quels que soient ses réglages. Elle se renouvelle {renews} ({renewsAt}).',
  'refusal.active_limit':
    '🚫 Tu as déjà autant de vidéos en cours que permis ({running} en création, {waiting} en attente). Attends qu’une se termine, puis réessaie.',

  'standing.unlimited': '🎟️ Tu n’as **aucune limite** de vidéos par {period}.',
  'standing.left': '🎟️ Il te reste **{left}** sur ton allocation par {period} ; renouvellement {renews} ({renewsAt}).',
  'standing.allowance': 'Allocation : {allowance} ; utilisées ou réservées : {used}.',
  'standing.allowance_granted': 'Allocation : {allowance} + {granted} en bonus ; utilisées ou réservées : {used}.',
  'standing.rule': 'Règle : {rule}.',
  'standing.work': 'En cours : {running} en création, {waiting} en attente. Une vidéo de 5 secondes coûte 1 unité, une de 10 secondes 2.',

  // History (en/history.ts)
  'history.header': {
    plural: 'cardinal',
    one: 'Ta dernière demande de vidéo sur ce serveur :',
    many: 'Tes {count} dernières demandes de vidéo sur ce serveur, de la plus récente à la plus ancienne :',
    other: 'Tes {count} dernières demandes de vidéo sur ce serveur, de la plus récente à la plus ancienne :',
  },
  'history.empty': "Tu n'as demandé aucune vidéo sur ce serveur ces 30 derniers jours. Utilise /animer pour en créer une.",
  'history.line': '**{number}.** {state} · {when}\n> {prompt}',
  'history.resend_hint': 'Appuie sur un numéro ci-dessous pour recevoir à nouveau cette vidéo.',
  'history.resend_button': 'Renvoyer {number}',
  'history.state.waiting': '⏳ attend son tour',
  'history.state.making': '🎬 en création',
  'history.state.delivered': '✅ livrée',
  'history.state.undelivered': "📭 créée, mais n'a pas pu être livrée",
  'history.state.cancelled': '🚫 annulée, remboursée',
  'history.state.picture_refused': '🖼️ image refusée, remboursée',
  'history.state.submit_unknown': '❓ démarrage incertain, remboursée',
  'history.state.failed': '❌ non créée, remboursée',

  'resend.video': '🎬 Voici à nouveau ta vidéo.',
  'resend.not_found': "Cette demande n'est plus dans ton historique (les demandes sont gardées 30 jours).",
  'resend.not_allowed': 'Seule la personne qui a demandé cette vidéo peut se la faire renvoyer.',
  'resend.not_made': "Aucune vidéo n'a été créée pour cette demande, il n'y a donc rien à envoyer.",
  'resend.gone': "Le service vidéo n'a plus cette vidéo, elle ne peut donc pas être renvoyée.",
  'resend.unavailable': 'Le service vidéo ne répond pas pour le moment. Réessaie dans quelques minutes.',

  'retry.button': 'Réessayer',
  'retry.not_found': "Cette demande n'est plus connue (les demandes sont gardées 30 jours). Utilise à nouveau /animer.",
  'retry.not_allowed': 'Seule la personne qui a demandé cette vidéo peut la réessayer. Utilise /animer pour créer la tienne.',
  'retry.not_retryable': 'Cette demande ne peut pas être réessayée. Utilise /animer pour en créer une nouvelle.',
  'retry.already_retried': 'Cette demande a déjà été réessayée. Utilise /animer pour en créer une nouvelle.',

  // Moderators (en/admin.ts)
  'admin.ceiling_note': "ℹ️ Quel que soit ce réglage, l'opérateur du bot limite chaque serveur à {units} par jour.",
  'admin.unknown_subcommand': 'Sous-commande inconnue.',
  'admin.missing.units': 'Indique `unités` ou `illimité: True`.',
  'admin.missing.units_or_period': 'Indique `unités` ou `illimité: True`, ou une `période`.',
  'admin.missing.units_or_clear': 'Indique `unités`, `illimité: True` ou `effacer: True`.',
  'admin.missing.limits': 'Indique au moins un de `en_cours`, `en_attente`, `en_cours_serveur`.',
  'admin.missing.channel': 'Choisis un `salon`.',
  'admin.conflict.units_unlimited': "Indique `unités` ou `illimité: True`, pas les deux. Rien n'a été modifié.",
  'admin.conflict.running_unlimited': "Indique `en_cours` ou `en_cours_illimité: True`, pas les deux. Rien n'a été modifié.",
  'admin.conflict.waiting_unlimited': "Indique `en_attente` ou `en_attente_illimité: True`, pas les deux. Rien n'a été modifié.",
  'admin.last_channel':
    '{channel} est le seul salon où /animer est autorisé, il reste donc. Pour autoriser tous les salons, utilise `action: autoriser partout`.',

  'admin.member_default_set': '✅ Allocation par défaut par membre : {before} → **{after}** par {period}.',
  'admin.server_budget_set': '✅ Budget du serveur : {before} → **{after}** par {period}.',
  'admin.period_set.day': "✅ Période : {before} → **{after}** (renouvellement à 00:00 UTC ; l'utilisation repart de zéro dès maintenant).",
  'admin.period_set.week':
    "✅ Période : {before} → **{after}** (renouvellement le lundi à 00:00 UTC ; l'utilisation repart de zéro dès maintenant).",
  'admin.period_set.month':
    "✅ Période : {before} → **{after}** (renouvellement le 1er à 00:00 UTC ; l'utilisation repart de zéro dès maintenant).",
  'admin.period_unchanged': 'Période : déjà **{period}**.',
  'admin.member_running_set': '✅ En création par membre : {before} → **{after}**.',
  'admin.member_waiting_set': '✅ En attente par membre : {before} → **{after}**.',
  'admin.server_running_set': '✅ En création sur le serveur : {before} → **{after}**.',

  'admin.not_set': 'non défini',
  'admin.allowance_set': '✅ Allocation de {who} : {before} → **{after}** par {period}.',
  'admin.role_allowance_cleared':
    "✅ Allocation de {who} : {before} → **non définie** (les membres se rabattent sur leurs autres rôles ou l'allocation par défaut).",
  'admin.member_allowance_cleared':
    "✅ Allocation de {who} : {before} → **non définie** (les rôles ou l'allocation par défaut s'appliquent).",

  'admin.channels_cleared': '✅ Plus de restriction de salon. /animer est maintenant utilisable dans {channels}.',
  'admin.channel_added': '✅ Autorisé : {channel}. /animer est maintenant utilisable dans {channels}.',
  'admin.channel_removed': '✅ Plus autorisé : {channel}. /animer est maintenant utilisable dans {channels}.',
  'admin.every_channel': 'tous les salons',

  'admin.granted': '✅ {member} reçoit {units} de plus sur son allocation par {period} (jusqu’à {until}). Il lui reste {left}.',
  'admin.reset': '✅ {member} récupère {units} : ses dépenses de la période sont remises à zéro.',
  'admin.reset_nothing':
    "{member} n'a aucune création terminée à rembourser sur cette période (celles en cours sont remboursées si elles échouent).",

  'admin.usage.spend': '📊 **Budget par {period}** : {used} sur {budget} ; renouvellement {renews}.',
  'admin.usage.top': 'Membres les plus actifs : {members}',
  'admin.usage.top_none': "Personne n'a encore rien créé sur cette période.",
  'admin.usage.running': 'En création : {members}',
  'admin.usage.waiting': 'En attente : {members}',
  'admin.usage.none': 'personne',
  'admin.usage.settings':
    '⚙️ Par défaut {units} par membre et par {period} ; {running} en création et {waiting} en attente par membre ; en création sur tout le serveur : {serverRunning}.',
  'admin.usage.overrides': 'Rôles : {roles} · Membres : {members}',
  'admin.usage.none_set': 'aucun',
  'admin.usage.channels': 'Salons : {channels}',
  'admin.usage.everywhere': 'partout',
  'admin.usage.entry': '{who} {amount}',

  // Command descriptions and choices (en/commands.ts): 50 characters at most, for phones.
  'command.animate': 'Transforme une image en courte vidéo',
  'command.animate.image': 'Une photo ou une image, au moins 300x300',
  'command.animate.prompt': "Comment l'image doit bouger",
  'command.animate.duration': 'Durée de la vidéo en secondes (5 par défaut)',
  'command.animate.duration.5': '5 secondes (1 unité)',
  'command.animate.duration.10': '10 secondes (2 unités)',
  'command.animate.cfg_scale': '0 = créatif, 1 = suit le prompt (0,5 par défaut)',
  'command.animate.negative_prompt': 'Ce que la vidéo doit éviter',

  'command.animate-quota': 'Tes unités restantes et leur renouvellement',

  'command.animate-history': 'Tes vidéos récentes ici, pour les récupérer',

  'command.animate-admin': 'Choisir qui peut faire combien de vidéos ici',
  'command.animate-admin.units.allowance': 'Allocation (unités par période ; 0 bloque)',
  'command.animate-admin.units.budget': 'Budget (unités par période ; 0 bloque)',
  'command.animate-admin.unlimited': 'Aucune limite',
  'command.animate-admin.default': 'Allocation par défaut de chaque membre',
  'command.animate-admin.role': "Allocation d'un rôle (le plus haut l'emporte)",
  'command.animate-admin.role.role': 'Le rôle',
  'command.animate-admin.role.clear': 'Retirer le réglage de ce rôle',
  'command.animate-admin.member': "Allocation d'un membre (prime sur les rôles)",
  'command.animate-admin.member.member': 'Le membre',
  'command.animate-admin.member.clear': 'Retirer le réglage de ce membre',
  'command.animate-admin.budget': 'Budget total du serveur et sa période',
  'command.animate-admin.budget.period': "Quand l'utilisation se renouvelle (UTC)",
  'command.animate-admin.budget.period.day': 'jour',
  'command.animate-admin.budget.period.week': 'semaine (à partir du lundi)',
  'command.animate-admin.budget.period.month': 'mois',
  'command.animate-admin.limits': 'Combien peuvent tourner et attendre à la fois',
  'command.animate-admin.limits.running': 'En création par membre',
  'command.animate-admin.limits.waiting': 'En attente par membre (gardent leurs unités)',
  'command.animate-admin.limits.server_running': 'En création sur tout le serveur (0 = illimité)',
  'command.animate-admin.limits.running_unlimited': 'Pas de limite en création par membre',
  'command.animate-admin.limits.waiting_unlimited': 'Pas de limite en attente par membre',
  'command.animate-admin.channels': 'Choisir les salons où /animer est permis',
  'command.animate-admin.channels.action': 'Que faire',
  'command.animate-admin.channels.action.add': 'autoriser un salon',
  'command.animate-admin.channels.action.remove': 'ne plus autoriser un salon',
  'command.animate-admin.channels.action.clear': 'autoriser partout',
  'command.animate-admin.channels.channel': 'Le salon',
  'command.animate-admin.usage': 'Dépenses, top membres, réglages, en cours',
  'command.animate-admin.grant': 'Donner des unités en plus à un membre',
  'command.animate-admin.grant.member': 'Le membre',
  'command.animate-admin.grant.units': 'Unités en plus',
  'command.animate-admin.reset': "Rendre à un membre ce qu'il a dépensé",
  'command.animate-admin.reset.member': 'Le membre',

  // Command names (en/command-names.ts): lowercase, no spaces.
  'name.animate': 'animer',
  'name.animate-quota': 'animer-quota',
  'name.animate-history': 'animer-historique',
  'name.animate-admin': 'animer-admin',
  'name.image': 'image',
  'name.prompt': 'prompt',
  'name.duration': 'durée',
  'name.cfg_scale': 'cfg_scale',
  'name.negative_prompt': 'prompt_négatif',
  'name.default': 'défaut',
  'name.role': 'rôle',
  'name.member': 'membre',
  'name.budget': 'budget',
  'name.limits': 'limites',
  'name.channels': 'salons',
  'name.usage': 'utilisation',
  'name.grant': 'accorder',
  'name.reset': 'réinitialiser',
  'name.units': 'unités',
  'name.unlimited': 'illimité',
  'name.clear': 'effacer',
  'name.period': 'période',
  'name.running': 'en_cours',
  'name.waiting': 'en_attente',
  'name.server_running': 'en_cours_serveur',
  'name.running_unlimited': 'en_cours_illimité',
  'name.waiting_unlimited': 'en_attente_illimité',
  'name.action': 'action',
  'name.channel': 'salon',
  // The Animate message menu, HEIC photos, restarting
  'failure.picture_heic':
    'Les photos HEIC ne sont pas lisibles. Envoie-la en JPEG : partage-la depuis Photos, ou choisis Appareil photo → Formats → Le plus compatible.',
  'reply.restarting': '🔄 Le bot redémarre. Réessaie dans une minute.',
  'menu.form.title': 'Animer cette image',
  'menu.form.prompt': 'Comment doit-elle bouger ?',
  'menu.form.prompt.placeholder': 'ex. : les vagues arrivent lentement, la caméra pivote à droite',
  'menu.form.duration': 'Durée en secondes : 5 ou 10 (facultatif)',
  'menu.form.duration.placeholder': 'Vide : ta valeur par défaut, sinon 5',
  'menu.form.negative_prompt': 'À éviter (facultatif)',
  'menu.form.negative_prompt.placeholder': 'ex. : flou, visages déformés',
  'menu.no_picture': "Ce message n'a pas d'image. Appuie longuement sur un message avec une photo, puis Applications → Animer.",
  'menu.expired': 'Ce formulaire a expiré. Appuie de nouveau longuement sur le message et choisis Applications → Animer.',
  'menu.problem.duration': '❌ La durée est de 5 ou 10 secondes (ou laisse le champ vide).',
  'name.Animate': 'Animer',
} as const satisfies Translation;
