import { Button, Empty, Skeleton, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { PersonSummary } from '../../api/types';
import { PersonAvatar } from './PersonAvatar';
import { primaryDepartment } from './primaryDepartment';
import './PeopleList.css';

export function PeopleList({
  people,
  loading,
  hasMore,
  loadingMore,
  onLoadMore,
  onOpen,
}: {
  people: PersonSummary[];
  loading: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  onOpen: (id: number) => void;
}) {
  const { t } = useTranslation();
  if (loading) return <Skeleton avatar active paragraph={{ rows: 3 }} />;
  if (people.length === 0) return <Empty description={t('org.noPeople')} />;
  return (
    <div>
      <ul className="people-list" data-testid="people-list">
        {people.map((person) => {
          const dept = primaryDepartment(person);
          return (
            <li key={person.id}>
              <button type="button" className="people-row" onClick={() => onOpen(person.id)}>
                <PersonAvatar id={person.id} name={person.name} fileId={person.avatar_file_id} />
                <span className="people-row-text">
                  <span className="people-row-name">
                    {person.name}
                    {!person.active && <Tag style={{ marginLeft: 8 }}>{t('org.inactive')}</Tag>}
                  </span>
                  <Typography.Text type="secondary" ellipsis className="people-row-sub">
                    {[person.title, dept].filter(Boolean).join(' · ')}
                  </Typography.Text>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {hasMore && (
        <div style={{ textAlign: 'center', padding: 12 }}>
          <Button onClick={onLoadMore} loading={loadingMore}>
            {t('common.loadMore')}
          </Button>
        </div>
      )}
    </div>
  );
}
