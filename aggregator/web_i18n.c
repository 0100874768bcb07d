/*
 * web_i18n.c — the pages' messages in French and English, and the choice
 * of language for a request.
 */
#include "web_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const web_messages[MSG_COUNT][2] = {
    [MSG_SITE] = {"Catalogue du territoire", "Territory catalogue"},
    [MSG_SKIP] = {"Aller au contenu", "Skip to content"},
    [MSG_NAV] = {"Navigation principale", "Main navigation"},
    [MSG_NAV_SEARCH] = {"Recherche", "Search"},
    [MSG_NAV_PARTNERS] = {"Partenaires", "Partners"},
    [MSG_OTHER_LANG] = {"English", "Français"},
    [MSG_SEARCH_LABEL] = {"Rechercher des données", "Search for data"},
    [MSG_SEARCH_BUTTON] = {"Rechercher", "Search"},
    [MSG_BBOX_LABEL] = {"Emprise (ouest,sud,est,nord)", "Extent (west,south,east,north)"},
    [MSG_BBOX_HINT] = {"Degrés WGS84 ; ou tracez un rectangle sur la carte.",
                       "WGS84 degrees; or drag a rectangle on the map."},
    [MSG_FROM] = {"Du", "From"},
    [MSG_TO] = {"Au", "To"},
    [MSG_SORT] = {"Trier par", "Sort by"},
    [MSG_SORT_RELEVANCE] = {"pertinence", "relevance"},
    [MSG_SORT_DATE] = {"date (récent d'abord)", "date (newest first)"},
    [MSG_SORT_DATE_OLD] = {"date (ancien d'abord)", "date (oldest first)"},
    [MSG_SORT_TITLE] = {"titre", "title"},
    [MSG_RESULTS] = {"résultats", "results"},
    [MSG_RESULTS_ABOUT] = {"environ", "about"},
    [MSG_INDEX_BEHIND] = {"Mise à jour en cours ; âge de l'index (secondes)",
                          "Update under way; age of the index (seconds)"},
    [MSG_NO_RESULT] = {"Aucun résultat.", "No results."},
    [MSG_FILTERS] = {"Affiner", "Refine"},
    [MSG_ACTIVE_FILTERS] = {"Filtres actifs", "Active filters"},
    [MSG_REMOVE] = {"retirer le filtre", "remove filter"},
    [MSG_FACET_PARTNER] = {"Partenaire", "Partner"},
    [MSG_FACET_ORGANISATION] = {"Organisation", "Organisation"},
    [MSG_FACET_KEYWORD] = {"Mot-clé, thème INSPIRE", "Keyword, INSPIRE theme"},
    [MSG_FACET_THEME] = {"Catégorie ISO", "ISO topic category"},
    [MSG_FACET_TYPE] = {"Type de ressource", "Resource type"},
    [MSG_FACET_FORMAT] = {"Format", "Format"},
    [MSG_FACET_YEAR] = {"Année de mise à jour", "Year of update"},
    [MSG_MAP] = {"Carte des résultats", "Map of the results"},
    [MSG_MAP_DESC] = {"Emprises des résultats de cette page sur un quadrillage en degrés",
                      "Extents of this page's results over a degree graticule"},
    [MSG_MAP_DESC_TILES] = {"Emprises des résultats de cette page sur un fond de carte",
                            "Extents of this page's results over a background map"},
    [MSG_MAP_BACKGROUND] = {"Fond de carte :", "Background map:"},
    [MSG_PAGES] = {"Pages de résultats", "Result pages"},
    [MSG_PREV] = {"Précédent", "Previous"},
    [MSG_NEXT] = {"Suivant", "Next"},
    [MSG_PAGE_OF] = {"Page", "Page"},
    [MSG_UPDATED] = {"mis à jour le", "updated"},
    [MSG_PARTNERS_OF] = {"chez", "from"},
    [MSG_F_IDENTIFIER] = {"Identifiant", "Identifier"},
    [MSG_F_TITLE] = {"Titre", "Title"},
    [MSG_F_ABSTRACT] = {"Résumé", "Abstract"},
    [MSG_F_TYPE] = {"Type", "Type"},
    [MSG_F_LANGUAGE] = {"Langue", "Language"},
    [MSG_F_MODIFIED] = {"Date des métadonnées", "Metadata date"},
    [MSG_F_CREATED] = {"Création", "Created"},
    [MSG_F_PUBLISHED] = {"Publication", "Published"},
    [MSG_F_REVISED] = {"Révision", "Revised"},
    [MSG_F_TEMPORAL] = {"Étendue temporelle", "Temporal extent"},
    [MSG_F_KEYWORDS] = {"Mots-clés", "Keywords"},
    [MSG_F_TOPICS] = {"Catégories ISO", "ISO topic categories"},
    [MSG_F_ORGANISATIONS] = {"Organisations", "Organisations"},
    [MSG_F_FORMATS] = {"Formats", "Formats"},
    [MSG_F_LICENCES] = {"Licences et contraintes", "Licences and constraints"},
    [MSG_F_CRS] = {"Systèmes de coordonnées", "Coordinate systems"},
    [MSG_F_BBOX] = {"Emprise (ouest, sud, est, nord)", "Extent (west, south, east, north)"},
    [MSG_F_HARVESTED] = {"Moissonné le", "Harvested"},
    [MSG_LINKS] = {"Liens", "Links"},
    [MSG_LINK_WMS] = {"Service WMS (carte)", "WMS service (map)"},
    [MSG_LINK_WFS] = {"Service WFS (objets)", "WFS service (features)"},
    [MSG_LINK_DOWNLOAD] = {"Téléchargement", "Download"},
    [MSG_LINK_PAGE] = {"Page web", "Web page"},
    [MSG_PROVENANCE] = {"Partenaires qui exposent cette fiche", "Partners that expose this record"},
    [MSG_PARTNER] = {"Partenaire", "Partner"},
    [MSG_LAST_SEEN] = {"Dernière moisson", "Last harvested"},
    [MSG_CHANGED] = {"Dernier changement", "Last changed"},
    [MSG_ORIGINAL] = {"XML d'origine", "Original XML"},
    [MSG_NO_ORIGINAL] = {"Pas de XML d'origine conservé.", "No original XML kept."},
    [MSG_CSW_LINKS] = {"Cette fiche par CSW (GetRecordById)",
                       "This record through CSW (GetRecordById)"},
    [MSG_PARTNERS_TITLE] = {"Partenaires et moissons", "Partners and harvests"},
    [MSG_PARTNERS_INTRO] = {"Les dernières moissons de chaque partenaire, avec les erreurs "
                            "fiche par fiche.",
                            "Each partner's last harvests, with the errors record by record."},
    [MSG_NO_RUN] = {"Jamais moissonné.", "Never harvested."},
    [MSG_RUN_STARTED] = {"Début", "Started"},
    [MSG_RUN_STATUS] = {"État", "Status"},
    [MSG_RUN_RECEIVED] = {"Reçues", "Received"},
    [MSG_RUN_ADDED] = {"Ajoutées", "Added"},
    [MSG_RUN_UPDATED] = {"Modifiées", "Updated"},
    [MSG_RUN_UNCHANGED] = {"Inchangées", "Unchanged"},
    [MSG_RUN_FAILED] = {"En erreur", "Failed"},
    [MSG_RUN_RETIRED] = {"Retirées", "Retired"},
    [MSG_RUN_DURATION] = {"Durée (s)", "Duration (s)"},
    [MSG_RUN_ERRORS] = {"Erreurs de la moisson", "Errors of the run"},
    [MSG_RUN_MORE_ERRORS] = {"autres erreurs non affichées", "more errors not shown"},
    [MSG_NO_IDENTIFIER] = {"(sans identifiant)", "(no identifier)"},
    [MSG_ERROR_TITLE] = {"Erreur", "Error"},
    [MSG_NOT_FOUND] = {"Page ou fiche introuvable", "No such page or record"},
    [MSG_UNAVAILABLE] = {"Base de données occupée ou arrêtée ; réessayez",
                         "The database is busy or down; try again"},
    [MSG_INTERNAL] = {"Erreur interne", "Internal error"},
    [MSG_BAD_REQUEST] = {"Requête incorrecte", "Bad request"},
};

const char *web_msg(enum web_lang lang, enum web_msg m)
{
    if ((int)m < 0 || m >= MSG_COUNT || !web_messages[m][lang])
        return "?";
    return web_messages[m][lang];
}

/* The q of one Accept-Language element ("fr-FR;q=0.8"): 1 without one. */
static double accept_q(const char *p, size_t len)
{
    const char *q = memchr(p, ';', len);
    while (q && (size_t)(q - p) < len) {
        q++;
        while (*q == ' ')
            q++;
        if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=')
            return strtod(q + 2, NULL);
        q = memchr(q, ';', len - (size_t)(q - p));
    }
    return 1.0;
}

enum web_lang web_lang_pick(const struct http_request *req)
{
    const char *lang = http_request_arg(req, "lang");
    if (lang && !strcmp(lang, "en"))
        return WEB_EN;
    if (lang && !strcmp(lang, "fr"))
        return WEB_FR;
    const char *al = http_request_header(req, "Accept-Language");
    double best_q = 0;
    enum web_lang best = WEB_FR;
    while (al && *al) {
        size_t len = strcspn(al, ",");
        const char *tag = al;
        while (tag < al + len && *tag == ' ')
            tag++;
        double q = accept_q(tag, len - (size_t)(tag - al));
        int fr = !strncasecmp(tag, "fr", 2) && !isalpha((unsigned char)tag[2]);
        int en = !strncasecmp(tag, "en", 2) && !isalpha((unsigned char)tag[2]);
        if ((fr || en) && q > best_q) {
            best_q = q;
            best = en ? WEB_EN : WEB_FR;
        }
        al += len + (al[len] == ',');
    }
    return best;
}
